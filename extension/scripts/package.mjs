// Builds the installable .vsix with vsce: bundles the extension and the language server with esbuild
// into a staging folder that holds only what the extension ships (manifest, bundles, media, the
// Python outline helper, README, LICENSE), then runs `vsce package --no-dependencies` there, so vsce
// validates the manifest and `vsce ls` lists exactly the staged files.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const repo = path.resolve(root, '..');
// Outside the repository: the staged bundles are not sources, test inputs or coverage targets.
const stage = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-vsix-stage-'));
const out = path.join(root, 'kael-vscode.vsix');
const vsce = createRequire(import.meta.url).resolve('@vscode/vsce/vsce');

try {
  await pack();
} finally {
}

async function pack() {
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: false,
    minify: true,
    logLevel: 'warning',
  };
  await build({
    ...common,
    entryPoints: [path.join(repo, 'extension/dist/extension.js')],
    outfile: path.join(stage, 'dist/extension.js'),
    external: ['vscode'],
  });
  await build({
    ...common,
    entryPoints: [path.join(repo, 'server/dist/main.js')],
    outfile: path.join(stage, 'dist/server.js'),
  });

  const manifest = JSON.parse(await fs.readFile(path.join(root, 'package.json'), 'utf8'));
  const shipped = { ...manifest, main: 'dist/extension.js' };
  // The bundles hold every dependency: the shipped manifest names none (vsce --no-dependencies).
  for (const key of ['dependencies', 'devDependencies', 'scripts', 'exports', 'private']) delete shipped[key];
  const copies = [
    ['extension/README.md', 'README.md'],
    ['LICENSE', 'LICENSE'],
    ['extension/media/kael.svg', 'media/kael.svg'],
    ['extension/media/icon.png', 'media/icon.png'],
    // The language server reads a Python package's __init__.py with this helper (never importing it).
    ['runtime/python/kael_outline.py', 'python/kael_outline.py'],
  ];
  shipped.files = ['dist/extension.js', 'dist/server.js', ...copies.map(([, to]) => to)];
  await fs.writeFile(path.join(stage, 'package.json'), JSON.stringify(shipped, null, 2) + '\n');
  for (const [from, to] of copies) {
    await fs.mkdir(path.dirname(path.join(stage, to)), { recursive: true });
    await fs.copyFile(path.join(repo, from), path.join(stage, to));
  }

  const run = (args) =>
    execFileSync(process.execPath, [vsce, ...args], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  process.stdout.write(run(['ls', '--no-dependencies']));
  process.stdout.write(run(['package', '--no-dependencies', '--out', out]));
  const bundle = (await fs.stat(path.join(stage, 'dist/extension.js'))).size;
  await fs.rm(stage, { recursive: true, force: true });
  process.stdout.write(
    `${path.relative(repo, out)}: ${(await fs.stat(out)).size} bytes (extension bundle ${bundle} bytes)\n`,
  );
}
