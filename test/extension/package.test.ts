import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../support/frames.js';

describe('npm run package', () => {
  it('produces a .vsix whose manifest lists the view, the commands and the settings', async () => {
    execFileSync('npm', ['run', 'package', '-w', 'kael-vscode', '--silent'], { cwd: ROOT, stdio: 'pipe' });
    const vsix = path.join(ROOT, 'extension', 'kael-vscode.vsix');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-vsix-'));
    execFileSync('unzip', ['-q', vsix, '-d', dir]);
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'extension', 'package.json'), 'utf8')) as {
      main: string;
      contributes: {
        views: Record<string, { id: string }[]>;
        commands: { command: string }[];
        configuration: { properties: Record<string, unknown> };
      };
    };
    assert.equal(manifest.main, 'dist/extension.js');
    assert.deepEqual(
      manifest.contributes.views['kael']?.map((v) => v.id),
      ['kael.frames'],
    );
    for (const c of [
      'kael.connect',
      'kael.callService',
      'kael.updatePackage',
      'kael.installPackage',
      'kael.rollbackPackage',
      'kael.restartServices',
      'kael.restartCrontabs',
      'kael.showCrontabRuns',
      'kael.validateWorkspace',
    ]) {
      assert.ok(
        manifest.contributes.commands.some((x) => x.command === c),
        c,
      );
    }
    assert.deepEqual(Object.keys(manifest.contributes.configuration.properties).sort(), [
      'kael.brokerUrl',
      'kael.frameFileNames',
      'kael.namespaces',
    ]);
    // The nodes of a cluster: one URL or a list.
    assert.deepEqual(
      (manifest.contributes.configuration.properties['kael.brokerUrl'] as { type: unknown; items: unknown })
        .type,
      ['string', 'array'],
    );
    assert.ok((await fs.stat(path.join(dir, 'extension', 'dist', 'server.js'))).size > 0);
    assert.match(await fs.readFile(path.join(dir, 'extension.vsixmanifest'), 'utf8'), /Id="kael-vscode"/);
  });
});
