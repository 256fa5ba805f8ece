import path from 'node:path';
import { parseYamlSource } from '@kael/runtime/config/yaml-source';

/** What a YAML file is to kael. */
export type DocumentKind = 'setting' | 'frame';

/** File names read as frame configs even before their content says so. @default ['frame.yaml', 'frame.yml', 'frame_pkg_setting.yaml'] */
export const DEFAULT_FRAME_FILE_NAMES: readonly string[] = [
  'frame.yaml',
  'frame.yml',
  'frame_pkg_setting.yaml',
];

/**
 * `setting.yaml` is a package setting; a frame file name, or any YAML mapping with top-level
 * `service_group` and `path`, is a frame config; anything else is not kael's.
 */
export function documentKind(
  file: string,
  text: string,
  frameFileNames: readonly string[] = DEFAULT_FRAME_FILE_NAMES,
): DocumentKind | undefined {
  const base = path.basename(file);
  if (base === 'setting.yaml' || base === 'setting.yml') return 'setting';
  if (frameFileNames.includes(base)) return 'frame';
  if (!/\.ya?ml$/.test(base)) return undefined;
  const value = parseYamlSource(text).value;
  if (value !== null && typeof value === 'object' && 'service_group' in value && 'path' in value)
    return 'frame';
  return undefined;
}
