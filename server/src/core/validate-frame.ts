import type { FileView } from '@kael/runtime/config/file-view';
import { parseFrameConfigText } from '@kael/runtime/config/frame-config';
import type { ConfigProblem } from '@kael/runtime/model/config-problem';
import { rangeAt } from '@kael/runtime/config/yaml-source';
import { loadCatalog } from '@kael/runtime/packages/package-catalog';

/**
 * A frame.yaml's problems: its own syntax and schema, then each listed package folder: missing,
 * without setting.yaml, reusing a name, or holding a package with errors (a warning pointing there).
 */
export async function validateFrame(file: string, text: string, view: FileView): Promise<ConfigProblem[]> {
  const { config, problems, source } = parseFrameConfigText(text, file);
  if (config === undefined) return problems;
  const out = [...problems];
  for (const record of await loadCatalog(config, view)) {
    const at = rangeAt(source, record.pointer);
    const entry = record.pointer.slice(1).replace('/', '[') + ']';
    for (const p of record.problems) {
      if (p.file === config.file) out.push({ ...p, range: rangeAt(source, p.pointer) });
      else if (p.code === 'setting-missing')
        out.push({
          file,
          pointer: record.pointer,
          code: 'setting-missing',
          severity: 'error',
          message: `${entry}: ${record.raw} has no setting.yaml`,
          range: at,
        });
    }
    const inPackage = record.problems.filter(
      (p) => p.file !== config.file && p.code !== 'setting-missing' && p.severity === 'error',
    );
    if (inPackage.length > 0) {
      out.push({
        file,
        pointer: record.pointer,
        code: 'schema',
        severity: 'warning',
        message: `${entry}: package ${record.raw} has ${inPackage.length} error(s) in ${inPackage[0]?.file ?? 'its setting.yaml'}`,
        range: at,
      });
    }
  }
  return out;
}
