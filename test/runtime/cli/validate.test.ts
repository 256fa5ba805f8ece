import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runCli } from '../../support/frames.js';

describe('kael validate', () => {
  it('exits 0 on the seed examples', async () => {
    const r = await runCli(['validate', path.join(ROOT, 'examples')]);
    assert.equal(r.code, 0);
  });

  it('exits 1 and reports file, line and code for a broken package, also as JSON', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-validate-'));
    await fs.writeFile(
      path.join(dir, 'setting.yaml'),
      'type: service\nservice_base_name: calc\nversion: 1\npublish: [add, nope]\n',
    );
    await fs.writeFile(path.join(dir, 'index.js'), 'exports.add = () => 1;');
    const human = await runCli(['validate', dir]);
    assert.equal(human.code, 1);
    assert.match(
      human.stdout,
      new RegExp(
        `${path.join(dir, 'setting.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:16: .*\\[export-missing\\]`,
      ),
    );
    const json = await runCli(['validate', dir, '--json']);
    const body = JSON.parse(json.stdout) as { ok: boolean; problems: { code: string; pointer: string }[] };
    assert.equal(body.ok, false);
    assert.deepEqual(
      body.problems.map((p) => [p.code, p.pointer]),
      [['export-missing', '/publish/1']],
    );
  });
});
