import path from 'node:path';
import type { FileView } from '@kael/runtime/config/file-view';
import { parseFrameConfigText } from '@kael/runtime/config/frame-config';
import { pointerToPath } from '@kael/runtime/config/problem';
import type { ConfigProblem, Range } from '@kael/runtime/model/config-problem';
import type { PackageRecord } from '@kael/runtime/model/package-record';
import { loadCatalog } from '@kael/runtime/packages/package-catalog';
import type { CheckOptions } from '@kael/runtime/packages/package-check';

/**
 * A frame.yaml's problems: its own syntax and schema, then each listed package checked exactly as
 * `kael run` loads it (`loadCatalog`). The problems in a package's files are returned with their
 * own file, and each package that would fail gets an error on its `path` line with the code of its
 * first problem, so the verdict on the frame.yaml is the verdict of `kael run`.
 */
export async function validateFrame(
  file: string,
  text: string,
  view: FileView,
  options: CheckOptions = {},
): Promise<ConfigProblem[]> {
  const { config, problems } = parseFrameConfigText(text, file);
  if (config === undefined) return problems;
  const out = [...problems];
  for (const record of await loadCatalog(config, view, options)) {
    out.push(...record.problems);
    const range = config.packages.find((e) => e.pointer === record.pointer)?.range;
    const summary = packageSummary(config.file, record, range);
    if (summary !== undefined) out.push(summary);
  }
  return out;
}

/** The error on a path line for a package whose problems are in its own files. */
function packageSummary(
  frameFile: string,
  record: PackageRecord,
  range: Range | undefined,
): ConfigProblem | undefined {
  const errors = record.problems.filter((p) => p.severity === 'error');
  const first = errors[0];
  if (first === undefined || errors.some((p) => p.file === frameFile)) return undefined;
  const where =
    first.range === undefined
      ? path.relative(record.dir, first.file)
      : `${path.relative(record.dir, first.file)}:${first.range.start.line + 1}`;
  const more =
    errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  const summary: ConfigProblem = {
    file: frameFile,
    pointer: record.pointer,
    code: first.code,
    severity: 'error',
    message: `${pointerToPath(record.pointer)}: package ${record.raw} fails to load: ${first.message} (${where})${more}`,
  };
  if (range !== undefined) summary.range = range;
  return summary;
}
