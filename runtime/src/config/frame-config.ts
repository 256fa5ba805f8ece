import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { formatProblem, toPointer } from './problem.js';
import type { ConfigProblem, Range } from '../model/config-problem.js';
import type { MessageLimits } from '../model/message-limits.js';
import { validateAgainstSchema, violationCode } from './schema-validation.js';
import { parseYamlSource, rangeAt } from './yaml-source.js';
import type { YamlSource } from './yaml-source.js';

/** One `path` entry of frame.yaml, resolved. */
export interface FramePathEntry {
  /** As written in the file. */
  raw: string;
  /** Absolute folder. */
  dir: string;
  /** JSON pointer of the entry (`/path/2`), for error messages. */
  pointer: string;
  /** Where the entry is written in frame.yaml. */
  range?: Range;
}

/** A parsed frame.yaml. */
export interface FrameConfig {
  /** Absolute path of the file. */
  file: string;
  /** `service_group`: the namespace when the frame gets no name. */
  serviceGroup: string;
  /** The frame's display name in tools (`label`), when set. */
  label?: string;
  /** `limits:` of frame.yaml, when set (options of `kael run` win over them). */
  limits?: Partial<MessageLimits>;
  /** `package_load_timeout_ms`, when set. */
  packageLoadTimeoutMs?: number;
  /** The `path` entries, resolved against the file's folder, each once. */
  packages: FramePathEntry[];
}

/** The outcome of parsing frame.yaml text. */
export interface FrameConfigResult {
  /**
   * What can be used of the file: every well-formed `path` entry (once), even when `problems` holds
   * errors elsewhere, so the packages can still be checked; undefined when the file is not a mapping
   * with a `path` list. The frame itself refuses to start on any error (see {@link readFrameConfig}).
   */
  config: FrameConfig | undefined;
  problems: ConfigProblem[];
  source: YamlSource;
}

/** What an empty or malformed frame.yaml is told it must contain. */
const FRAME_SHAPE =
  'it must contain `service_group: <name>` (the namespace when the frame gets no --name) and `path:` ' +
  'with a list of package folders (each holding a setting.yaml), absolute or relative to this file';

/**
 * Parses and validates frame.yaml text; relative paths resolve against the file's folder. Pure.
 * Every independent problem is reported in one pass (a duplicate entry does not hide a missing one).
 */
export function parseFrameConfigText(text: string, file: string): FrameConfigResult {
  const source = parseYamlSource(text);
  const problems: ConfigProblem[] = source.syntaxErrors.map((e) => ({
    file,
    pointer: '',
    code: 'yaml-syntax' as const,
    message: `YAML syntax error: ${e.message}`,
    severity: 'error' as const,
    range: e.range,
  }));
  if (problems.length > 0) return { config: undefined, problems, source };
  const value = source.value;
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    const what =
      value === null || value === undefined ? 'frame.yaml is empty' : 'frame.yaml is not a mapping';
    problems.push({
      file,
      pointer: '',
      code: 'schema',
      message: `${what}: ${FRAME_SHAPE}`,
      severity: 'error',
      range: rangeAt(source, ''),
    });
    return { config: undefined, problems, source };
  }
  for (const v of validateAgainstSchema('frame', value)) {
    const problem: ConfigProblem = {
      file,
      pointer: v.pointer,
      code: violationCode(v),
      message: v.message,
      severity: 'error',
      range: rangeAt(source, v.pointer, v.part),
    };
    if (v.fix !== undefined) problem.fix = v.fix;
    problems.push(problem);
  }
  const obj = value as {
    service_group?: unknown;
    path?: unknown;
    label?: unknown;
    limits?: unknown;
    package_load_timeout_ms?: unknown;
  };
  if (!Array.isArray(obj.path)) return { config: undefined, problems, source };
  const base = path.dirname(path.resolve(file));
  const seen = new Set<string>();
  const packages: FramePathEntry[] = [];
  for (const [i, raw] of (obj.path as unknown[]).entries()) {
    // A duplicate is reported by the schema; only its first occurrence is loaded.
    if (typeof raw !== 'string' || raw === '' || seen.has(raw)) continue;
    seen.add(raw);
    const pointer = toPointer(['path', i]);
    packages.push({ raw, dir: path.resolve(base, raw), pointer, range: rangeAt(source, pointer) });
  }
  const serviceGroup = typeof obj.service_group === 'string' ? obj.service_group : '';
  return {
    config: {
      file: path.resolve(file),
      serviceGroup,
      ...(typeof obj.label === 'string' ? { label: obj.label } : {}),
      ...readLimits(obj.limits),
      ...(typeof obj.package_load_timeout_ms === 'number'
        ? { packageLoadTimeoutMs: obj.package_load_timeout_ms }
        : {}),
      packages,
    },
    problems,
    source,
  };
}

/** The `limits:` mapping as {@link MessageLimits} fields (the schema has checked the values). */
function readLimits(raw: unknown): { limits?: Partial<MessageLimits> } {
  if (raw === null || typeof raw !== 'object') return {};
  const r = raw as { max_request_bytes?: unknown; max_reply_bytes?: unknown };
  const limits: Partial<MessageLimits> = {};
  if (typeof r.max_request_bytes === 'number') limits.maxRequestBytes = r.max_request_bytes;
  if (typeof r.max_reply_bytes === 'number') limits.maxReplyBytes = r.max_reply_bytes;
  return { limits };
}

/**
 * Reads frame.yaml.
 * @throws ConfigError `CONFIG_INVALID` naming the file, field and problem when it is missing or wrong.
 */
export async function readFrameConfig(file: string): Promise<FrameConfig> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await fs.readFile(abs, 'utf8');
  } catch (e) {
    throw new ConfigError('CONFIG_INVALID', `cannot read frame config ${abs}: ${(e as Error).message}`, {
      cause: e,
      details: { file: abs, pointer: '' },
    });
  }
  const { config, problems } = parseFrameConfigText(text, abs);
  if (config === undefined || problems.some((p) => p.severity === 'error')) {
    throw new ConfigError('CONFIG_INVALID', problems.map(formatProblem).join('\n'), {
      details: { file: abs, pointer: problems[0]?.pointer ?? '', problems },
    });
  }
  return config;
}
