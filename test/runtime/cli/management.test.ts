import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FrameSnapshot, WorkFrame } from '@kael/runtime';
import type { RestartResult } from '@kael/runtime/model/deploy-result';
import { runCli, startTestFrame, versionedService } from '../../support/frames.js';
import type { TestFrame } from '../../support/frames.js';

const ADMIN_KEY = 'management-test-key';

describe('the management CLI', () => {
  let ns: string;
  let frame: WorkFrame;
  let setup: TestFrame;

  before(async () => {
    const ticker = {
      'setting.yaml':
        "type: crontab\ncrontab_name: ticker\nversion: 1.0\npublish:\n  - ['* * * * * *', 'echo tick']\n",
    };
    setup = await startTestFrame({ calc: versionedService('calc', '1.10'), ticker }, { adminKey: ADMIN_KEY });
    ({ namespace: ns, frame } = setup);
  });

  after(async () => {
    await setup.close();
  });

  it('kael status --json lists the frame and its packages', async () => {
    const r = await runCli(['status', '--name', ns, '--json']);
    assert.equal(r.code, 0);
    const frames = JSON.parse(r.stdout) as FrameSnapshot[];
    assert.deepEqual(
      frames.map((f) => [f.id, f.packages.map((p) => `${p.name} ${p.version ?? ''} ${p.state ?? ''}`)]),
      [[frame.id, ['calc 1.10 ok', 'ticker 1.0 ok']]],
    );
  });

  it('kael versions --json gives the highest live version', async () => {
    const r = await runCli(['versions', '--name', ns, '--json']);
    assert.deepEqual((JSON.parse(r.stdout) as { last: Record<string, string> }).last, { calc: '1.10' });
  });

  it('kael restart reports per-frame results and exits 0', async () => {
    const r = await runCli(['restart', '--type', 'service', '--name', ns, '--json'], {
      KAEL_ADMIN_KEY: ADMIN_KEY,
    });
    assert.equal(r.code, 0);
    const reply = (JSON.parse(r.stdout) as Record<string, { ok: boolean; value: RestartResult }>)[frame.id];
    assert.deepEqual(
      [reply?.ok, reply?.value.ok, reply?.value.packages.map((p) => [p.name, p.version, p.state])],
      [true, true, [['calc', '1.10', 'ok']]],
    );
  });

  it('kael update exits non-zero when a frame fails, naming the code', async () => {
    const r = await runCli(['update', 'nothing', '--name', ns], { KAEL_ADMIN_KEY: ADMIN_KEY });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /VERSION_NOT_FOUND/);
    const missing = await runCli(['update', 'calc', '--name', ns, '--id', frame.id, '--type', 'crontab'], {
      KAEL_ADMIN_KEY: ADMIN_KEY,
    });
    assert.equal(missing.code, 1);
  });

  it('kael crontabs shows who runs each crontab and its last runs', async () => {
    const deadline = Date.now() + 10_000;
    let r = await runCli(['crontabs', '--name', ns, '--json']);
    while (Date.now() < deadline && !r.stdout.includes('"status": "ok"'))
      r = await runCli(['crontabs', '--name', ns, '--json']);
    const status = JSON.parse(r.stdout) as Record<
      string,
      { name: string; active: boolean; entries: { runs: { status: string; output: string }[] }[] }[]
    >;
    const [c] = status[frame.id] ?? [];
    assert.deepEqual([c?.name, c?.active, c?.entries[0]?.runs[0]?.output.trim()], ['ticker', true, 'tick']);
    const human = await runCli(['crontabs', '--name', ns]);
    assert.equal(human.code, 0);
  });

  it('kael install without a path prints the usage and exits 2', async () => {
    const r = await runCli(['install', 'calc', '--name', ns]);
    assert.equal(r.code, 2);
  });
});
