import { promises as fs } from 'node:fs';
import path from 'node:path';
import { scheduleProblem } from '../schedule/schedule.js';
import { isValidVersion } from '../version/version.js';
import { toPointer } from './problem.js';
import type { ConfigProblem, ProblemCode } from '../model/config-problem.js';
import type { PackageKind } from '../model/package-kind.js';
import type { PackageSetting } from '../model/package-setting.js';
import { PACKAGE_TYPES, validateAgainstSchema } from './schema-validation.js';
import { parseYamlSource, rangeAt, scalarText } from './yaml-source.js';
import type { YamlSource } from './yaml-source.js';

/** The file every package folder holds. */
export const SETTING_FILE = 'setting.yaml';

/** The outcome of reading a setting.yaml: the setting when usable, and every problem found. */
export interface SettingResult {
  setting: PackageSetting | undefined;
  problems: ConfigProblem[];
  source: YamlSource | undefined;
}

/** Parses and validates setting.yaml text. Pure: no file access. */
export function parseSettingText(text: string, file: string): SettingResult {
  const source = parseYamlSource(text);
  const problems: ConfigProblem[] = [];
  const report = (
    pointer: string,
    code: ProblemCode,
    message: string,
    part: 'key' | 'value' = 'value',
    severity: 'error' | 'warning' = 'error',
  ): void => {
    problems.push({ file, pointer, code, message, severity, range: rangeAt(source, pointer, part) });
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
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    report('', 'schema', 'setting.yaml must be a mapping with type, version and publish');
    return { setting: undefined, problems, source };
  }
  const obj = value as Record<string, unknown>;
  const type = obj['type'];
  const kind = typeof type === 'string' ? PACKAGE_TYPES[type] : undefined;
  if (kind === undefined) {
    if (type === undefined) report('', 'schema', 'missing required field "type" (service or crontab)');
    else
      report(
        '/type',
        'type-unknown',
        `type: unknown package type ${JSON.stringify(type)}; expected "service" or "crontab"`,
      );
    return { setting: undefined, problems, source };
  }
  for (const v of validateAgainstSchema(kind, obj)) {
    // A version of the right type but the wrong shape gets the version rule's own message below.
    if (v.pointer === '/version' && v.keyword === 'pattern') continue;
    report(v.pointer, 'schema', v.message, v.part);
  }

  const version = scalarText(source, '/version');
  if (version !== undefined && !problems.some((p) => p.pointer === '/version') && !isValidVersion(version)) {
    report(
      '/version',
      'version-invalid',
      `version: "${version}" is not a version kael can order (expected e.g. 1.0, 1.10 or 1.2.3)`,
    );
  }
  if (problems.some((p) => p.severity === 'error')) return { setting: undefined, problems, source };

  const setting = toSetting(kind, obj, version ?? '');
  if (setting.type === 'service') {
    for (const name of Object.keys(setting.args)) {
      if (!setting.publish.includes(name)) {
        report(
          toPointer(['args', name]),
          'args-unknown',
          `args.${name}: "${name}" is not a published function`,
          'key',
          'warning',
        );
      }
    }
  }
  if (setting.type === 'crontab') {
    // The same schedule rule as the scheduler: a schedule the runtime would reject fails the package here.
    if (setting.timezone !== undefined && scheduleProblem('* * * * *', setting.timezone) !== undefined) {
      report(
        '/timezone',
        'schedule-invalid',
        `timezone: "${setting.timezone}" is not a known IANA time zone`,
      );
    }
    for (const e of setting.entries) {
      const why = scheduleProblem(e.schedule);
      if (why !== undefined)
        report(toPointer(['publish', e.index, 0]), 'schedule-invalid', `publish[${e.index}][0]: ${why}`);
    }
  }
  const usable = !problems.some((p) => p.severity === 'error');
  return { setting: usable ? setting : undefined, problems, source };
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
