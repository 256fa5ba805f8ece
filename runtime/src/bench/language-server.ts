import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BenchSection } from './section.js';

/**
 * Runs the language server's own benchmark (a real LSP client over stdio) in a child process; the
 * server package is found at run time because it depends on the runtime, not the other way round.
 */
export const section: BenchSection = {
  name: 'language-server',
  async run(options) {
    const serverDir = path.dirname(createRequire(__filename).resolve('@kael/server/package.json'));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(serverDir, 'dist/bench/main.js'), ...(options.quick ? ['--quick'] : [])],
      { timeout: 300_000 },
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  },
  describe(r) {
    const c = r['change_to_diagnostics'] as { lines: number; p50_ms: number; p99_ms: number };
    const w = r['workspace'] as { packages: number; files: number; ms: number };
    return [
      `didChange → publishDiagnostics, ${c.lines}-line setting.yaml: p50 ${c.p50_ms} ms, p99 ${c.p99_ms} ms (target p50 ≤ 20 ms)`,
      `validate a workspace of ${w.packages} packages (${w.files} files): ${w.ms} ms (target ≤ 1000 ms)`,
    ];
  },
};
