import { promises as fs } from 'node:fs';
import path from 'node:path';
import { canFire, parseSchedule, scheduleProblem } from '../schedule/schedule.js';
import { isValidVersion } from '../version/version.js';
import { toPointer } from './problem.js';
import { closestName } from './closest-name.js';
import type { ConfigProblem, ProblemCode, ProblemFix } from '../model/config-problem.js';
import type { PackageKind } from '../model/package-kind.js';
import { SETTING_FILE } from '../model/package-setting.js';
import type { PackageSetting } from '../model/package-setting.js';
import { PACKAGE_TYPES, validateAgainstSchema, violationCode } from './schema-validation.js';
import { parseYamlSource, rangeAt, scalarText } from './yaml-source.js';
import type { YamlSource } from './yaml-source.js';

/** The outcome of reading a setting.yaml: the setting when usable, and every problem found. */
export interface SettingResult {
  /** The setting, when the file has no error. */
  setting: PackageSetting | undefined;
  /** Every problem of the file, errors and warnings. */
  problems: ConfigProblem[];
  /** The parsed YAML with positions (undefined when the file could not be read). */
  source: YamlSource | undefined;
}

/** What an empty or non-mapping setting.yaml is told it must contain. */
const SETTING_SHAPE =
  'a service package needs `type: service`, `service_base_name`, `version` and `publish` (function names); ' +
  'a crontab package needs `type: crontab`, `crontab_name`, `version` and `publish` ([schedule, command] pairs)';

/**
 * Parses and validates setting.yaml text. Pure: no file access. Every independent problem is
 * reported in one pass: a schema error in one entry does not hide a bad schedule in another.
 * A schedule that never fires is a warning.
 */
export function parseSettingText(text: string, file: string): SettingResult {
  const source = parseYamlSource(text);
  const problems: ConfigProblem[] = [];
  const report = (
    pointer: string,
    code: ProblemCode,
    message: string,
    part: 'key' | 'value' = 'value',
    severity: 'error' | 'warning' = 'error',
    fix?: ProblemFix,
  ): void => {
    const problem: ConfigProblem = {
      file,
      pointer,
      code,
      message,
      severity,
      range: rangeAt(source, pointer, part),
    };
    if (fix !== undefined) problem.fix = fix;
    problems.push(problem);
  };
  for (const e of source.syntaxErrors) {
    problems.push({
      file,
      pointer: '',
      code: 'yaml-syntax',
      message: `YAML syntax error: ${e.message}`,
      severity: 'error',
      range: e.range,
    });
  }
  if (problems.length > 0) return { setting: undefined, problems, source };

  const value = source.value;
  if (value === null || value === undefined) {
    report('', 'schema', `setting.yaml is empty: ${SETTING_SHAPE}`);
    return { setting: undefined, problems, source };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    report('', 'schema', `setting.yaml must be a mapping of keys to values: ${SETTING_SHAPE}`);
    return { setting: undefined, problems, source };
  }
  const obj = value as Record<string, unknown>;
  const type = obj['type'];
  const kind = typeof type === 'string' ? PACKAGE_TYPES[type] : undefined;
  if (kind === undefined) {
    if (type === undefined) report('', 'schema', 'missing required field "type" (service or crontab)');
    else {
      const guess = typeof type === 'string' ? closestName(type, Object.keys(PACKAGE_TYPES)) : undefined;
      report(
        '/type',
        'type-unknown',
        `type: unknown package type ${JSON.stringify(type)}; expected "service" or "crontab"${guess === undefined ? '' : `; did you mean "${guess}"?`}`,
        'value',
        'error',
        guess === undefined ? undefined : { title: `Change to "${guess}"`, newText: guess },
      );
    }
    return { setting: undefined, problems, source };
  }
  for (const v of validateAgainstSchema(kind, obj)) {
    // A version of the right type but the wrong shape gets the version rule's own message below.
    if (v.pointer === '/version' && v.keyword === 'pattern') continue;
    report(v.pointer, violationCode(v), v.message, v.part, 'error', v.fix);
  }
  const version = scalarText(source, '/version');
  if (version !== undefined && !problems.some((p) => p.pointer === '/version') && !isValidVersion(version)) {
    report(
      '/version',
      'version-invalid',
      `version: "${version}" is not a version kael can order (expected e.g. 1.0, 1.10 or 1.2.3)`,
    );
  }
  if (kind === 'service') checkArgs(obj, report);
  else checkSchedules(obj, problems, report);

  const usable = !problems.some((p) => p.severity === 'error');
  return { setting: usable ? toSetting(kind, obj, version ?? '') : undefined, problems, source };
}

type Report = (
  pointer: string,
  code: ProblemCode,
  message: string,
  part?: 'key' | 'value',
  severity?: 'error' | 'warning',
) => void;

/** `args` entries for names that are not published (a warning: they are never used). */
function checkArgs(obj: Record<string, unknown>, report: Report): void {
  const args = obj['args'];
  const publish = Array.isArray(obj['publish']) ? (obj['publish'] as unknown[]) : [];
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return;
  for (const name of Object.keys(args)) {
    if (!publish.includes(name))
      report(
        toPointer(['args', name]),
        'args-unknown',
        `args.${name}: "${name}" is not a published function`,
        'key',
        'warning',
      );
  }
}

/**
 * The scheduler's own rule on every well-formed `[schedule, command]` entry, whatever else is wrong
 * in the file: a schedule the runtime would reject fails the package here; one that can never fire
 * (`0 0 31 2 *`) is a warning.
 */
function checkSchedules(
  obj: Record<string, unknown>,
  problems: readonly ConfigProblem[],
  report: Report,
): void {
  const zone =
    typeof obj['timezone'] === 'string' && !problems.some((p) => p.pointer === '/timezone')
      ? obj['timezone']
      : undefined;
  const zoneOk = zone === undefined || scheduleProblem('* * * * *', zone) === undefined;
  if (!zoneOk) report('/timezone', 'schedule-invalid', `timezone: "${zone}" is not a known IANA time zone`);
  const publish = Array.isArray(obj['publish']) ? (obj['publish'] as unknown[]) : [];
  for (const [index, entry] of publish.entries()) {
    const pointer = toPointer(['publish', index, 0]);
    const schedule = Array.isArray(entry) ? (entry as unknown[])[0] : undefined;
    if (typeof schedule !== 'string' || problems.some((p) => p.pointer === pointer)) continue;
    const why = scheduleProblem(schedule);
    if (why !== undefined) {
      report(pointer, 'schedule-invalid', `publish[${index}][0]: ${why}`);
      continue;
    }
    if (zoneOk && !canFire(parseSchedule(schedule, zone)))
      report(
        pointer,
        'schedule-never',
        `publish[${index}][0]: "${schedule}" never fires (no such date in the next years), so this entry never runs`,
        'value',
        'warning',
      );
  }
}

function toSetting(kind: PackageKind, obj: Record<string, unknown>, version: string): PackageSetting {
  if (kind === 'service') {
    return {
      type: 'service',
      name: obj['service_base_name'] as string,
      version,
      publish: obj['publish'] as string[],
      args: (obj['args'] ?? {}) as Record<string, object | boolean>,
    };
  }
  const publish = obj['publish'] as [string, string][];
  return {
    type: 'crontab',
    name: obj['crontab_name'] as string,
    version,
    entries: publish.map(([schedule, command], index) => ({ index, schedule, command })),
    timezone: obj['timezone'] as string | undefined,
    timeoutMs: ((obj['timeout'] as number | undefined) ?? 3600) * 1000,
    graceMs: ((obj['grace'] as number | undefined) ?? 60) * 1000,
    overlap: (obj['overlap'] as 'skip' | 'allow' | undefined) ?? 'skip',
  };
}

/** Reads `<dir>/setting.yaml`; a missing or unreadable file is a problem, not an exception. */
export async function readSettingFile(dir: string): Promise<SettingResult> {
  const file = path.join(dir, SETTING_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    const message = missing
      ? `${SETTING_FILE} not found in ${dir}`
      : `cannot read ${file}: ${(e as Error).message}`;
    return {
      setting: undefined,
      problems: [{ file, pointer: '', code: 'setting-missing', message, severity: 'error' }],
      source: undefined,
    };
  }
  return parseSettingText(text, file);
}
