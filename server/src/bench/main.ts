import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LspClient } from './lsp-client.js';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

/** A service package with `n` published functions (its setting.yaml is about n + 5 lines). */
async function writePackage(dir: string, name: string, n: number): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const fns = Array.from({ length: n }, (_, i) => `f${i}`);
  const setting = `type: service\nservice_base_name: ${name}\nversion: 1.0\npublish:\n${fns.map((f) => `  - ${f}`).join('\n')}\n`;
  await fs.writeFile(path.join(dir, 'setting.yaml'), setting);
  await fs.writeFile(path.join(dir, 'index.js'), fns.map((f) => `exports.${f} = () => 1;`).join('\n'));
  return setting;
}

/**
 * The language server's numbers over stdio with a real LSP client: didChange → publishDiagnostics
 * for a 200-line setting.yaml, and validation of a 200-package workspace. Prints one JSON object.
 */
async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-lsp-bench-'));
  const pkg = path.join(root, 'big');
  const text = await writePackage(pkg, 'big', 195);
  for (let i = 0; i < 200; i++) await writePackage(path.join(root, 'ws', `p${i}`), `p${i}`, 5);
  await fs.writeFile(
    path.join(root, 'ws', 'frame.yaml'),
    `service_group: g\npath:\n${Array.from({ length: 200 }, (_, i) => `  - ./p${i}`).join('\n')}\n`,
  );
  const client = new LspClient();
  try {
    await client.initialize(root);
    const file = path.join(pkg, 'setting.yaml');
    const first = client.nextDiagnostics(file);
    await client.open(file, text);
    await first;
    const samples: number[] = [];
    for (let i = 0; i < (quick ? 20 : 100); i++) {
      await new Promise((r) => setTimeout(r, 110));
      const edited = text.replace('version: 1.0', `version: 1.${i}`);
      const published = client.nextDiagnostics(file);
      const t = process.hrtime.bigint();
      await client.change(file, edited);
      await published;
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    samples.sort((a, b) => a - b);
    const t = process.hrtime.bigint();
    const ws = await client.connection.sendRequest<{ files: number }>('kael/validateWorkspace', {
      folders: [path.join(root, 'ws')],
    });
    const workspaceMs = Number(process.hrtime.bigint() - t) / 1e6;
    const round = (x: number): number => Math.round(x * 100) / 100;
    process.stdout.write(
      JSON.stringify({
        change_to_diagnostics: {
          lines: text.split('\n').length,
          p50_ms: round(quantile(samples, 0.5)),
          p99_ms: round(quantile(samples, 0.99)),
        },
        workspace: { packages: 200, files: ws.files, ms: round(workspaceMs) },
      }) + '\n',
    );
  } finally {
    await client.stop();
    await fs.rm(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`language server bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
