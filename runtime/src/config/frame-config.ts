import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { formatProblem, toPointer } from './problem.js';
import type { ConfigProblem } from '../model/config-problem.js';
import { validateAgainstSchema } from './schema-validation.js';
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
}

/** A parsed frame.yaml. */
export interface FrameConfig {
  /** Absolute path of the file. */
  file: string;
  serviceGroup: string;
  /** The frame's display name in tools (`label`), when set. */
  label?: string;
  packages: FramePathEntry[];
}

/** The outcome of parsing frame.yaml text. */
export interface FrameConfigResult {
  config: FrameConfig | undefined;
  problems: ConfigProblem[];
  source: YamlSource;
}

/** Parses and validates frame.yaml text; relative paths resolve against the file's folder. Pure. */
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
  for (const v of validateAgainstSchema('frame', source.value ?? null)) {
    problems.push({
      file,
      pointer: v.pointer,
      code: 'schema',
      message: v.message || 'frame.yaml must be a mapping with service_group and path',
      severity: 'error',
      range: rangeAt(source, v.pointer, v.part),
    });
  }
  if (problems.length > 0) return { config: undefined, problems, source };
  const obj = source.value as { service_group: string; path: string[]; label?: string };
  const base = path.dirname(path.resolve(file));
  const packages = obj.path.map((raw, i) => ({
    raw,
    dir: path.resolve(base, raw),
    pointer: toPointer(['path', i]),
  }));
  return {
    config: {
      file: path.resolve(file),
      serviceGroup: obj.service_group,
      ...(obj.label === undefined ? {} : { label: obj.label }),
      packages,
    },
    problems,
    source,
  };
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
  if (config === undefined) {
    throw new ConfigError('CONFIG_INVALID', problems.map(formatProblem).join('\n'), {
      details: { file: abs, pointer: problems[0]?.pointer ?? '', problems },
    });
  }
  return config;
}
