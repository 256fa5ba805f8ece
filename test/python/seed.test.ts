import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectClient, createLogger, WorkFrame } from '@kael/runtime';
import type { ServiceProxy } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../support/broker.js';
import { makeFrameDir, ROOT, runCli } from '../support/frames.js';
import { until } from '../support/wait.js';
import { ADMIN_KEY, clientPython, copySeed, pythonJson, startKaelRun } from './python.js';
import type { KaelRun } from './python.js';

/**
 * The seed document's client calls, as a seed user wrote them; only the import line is kael's
 * (and the seed's own `from kael.work_frame import WORK_FRAME` works too).
 */
const SEED_CALLER = `
import json, sys
from kael.work_frame import WORK_FRAME
AMQ_URI = sys.argv[1]
namespace = sys.argv[2]
client = WORK_FRAME(name=namespace, auri=AMQ_URI)
out = {}
out["add"] = client.calculate__add(1, 2)
out["minus"] = client.calculate__minus(5, 3)
out["now"] = client.time__now()
r = client.command("_get_pkg_version", pkg_type="service")
out["versions"] = client.get_response(r, timeout=5)
out["last"] = client.get_last_version(service="calculate", pkg_type="service")
out["last_crontab"] = client.get_last_version(pkg_type="crontab")
r = client.command("_get_pkg_version", pkg_type="crontab")
out["crontab_versions"] = client.get_response(r, timeout=5)
out["crontab_status"] = client.get_all_crontab_status(crontab=None)
r = client.command("_restart_service")
out["restart_service"] = client.get_response(r, timeout=60)
r = client.command("_restart_crontab")
out["restart_crontab"] = client.get_response(r, timeout=60)
out["after_restart"] = client.calculate__add(2, 2)
print(json.dumps(out, default=str))
`;

interface Envelope {
  ok: boolean;
  value?: unknown;
  error?: { code: string };
}

interface SeedOutput {
  add: number;
  minus: number;
  now: string;
  versions: Record<string, Envelope>;
  last: string;
  last_crontab: Record<string, string>;
  crontab_versions: Record<string, Envelope>;
  crontab_status: Record<string, { name: string; active: boolean }[]>;
  restart_service: Record<string, Envelope>;
  restart_crontab: Record<string, Envelope>;
  after_restart: number;
}

describe("the seed's packages under kael run", () => {
  const ns = randomNamespace();
  let run: KaelRun;
  let conf: string;
  let timeService: string;
  let client: ServiceProxy<{
    calculate__add(a: number, b: number): Promise<number>;
    time__now(): Promise<string>;
  }>;

  before(async () => {
    ({ conf, timeService } = await copySeed());
    run = startKaelRun(conf, ns);
    await run.ready;
    client = await connectClient({ name: ns, auri: AURI, adminKey: ADMIN_KEY });
  });

  after(async () => {
    await client.close();
    assert.equal(await run.stop(), 0);
    await deleteNamespace(ns);
  });

  it('loads the relative and the absolute package paths and logs the Python interpreter it uses', async () => {
    const frames = await client.servers();
    assert.deepEqual(
      frames[0]?.packages.map((p) => [p.kind, p.name, p.version, p.dir, p.error]),
      [
        ['service', 'calculate', '1.0', path.join(path.dirname(conf), 'caculate_service'), undefined],
        ['service', 'time', '1.0', timeService, undefined],
        ['crontab', 'print', '1.0', path.join(path.dirname(conf), 'task1_crontab'), undefined],
      ],
    );
    assert.match(
      run.log(),
      /Python \d+\.\d+\.\d+ serves the Python packages \{"interpreter":"[^"]+","from":"(PATH|KAEL_PYTHON)","executable":"[^"]+"\}/,
    );
  });

  it('answers the TypeScript client', async () => {
    assert.equal(await client.calculate__add(1, 2), 3);
    assert.match(await client.time__now(), /^\d{4}-\d\d-\d\dT/);
  });

  it("answers the seed's Python caller (seed import line, seed calls)", async () => {
    // A lone frame takes its crontab over one lease time after it starts reading the crontab's log.
    await until(
      'the print crontab to be active',
      async () =>
        Object.values(await client.getAllCrontabStatus()).some((list) =>
          list.some((c) => c.name === 'print' && c.active),
        ) || undefined,
    );
    const out = await pythonJson<SeedOutput>(SEED_CALLER, [AURI, ns]);
    const [frameId] = Object.keys(out.versions);
    assert.ok(frameId !== undefined);
    assert.deepEqual([out.add, out.minus, out.after_restart], [3, 2, 4]);
    assert.match(out.now, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(
      (out.versions[frameId]?.value as { name: string; version: string }[]).map((p) => [p.name, p.version]),
      [
        ['calculate', '1.0'],
        ['time', '1.0'],
      ],
    );
    assert.equal(out.last, '1.0');
    assert.deepEqual(out.last_crontab, { print: '1.0' });
    assert.deepEqual(
      (out.crontab_versions[frameId]?.value as { name: string }[]).map((p) => p.name),
      ['print'],
    );
    assert.deepEqual(
      out.crontab_status[frameId]?.map((c) => [c.name, c.active]),
      [['print', true]],
    );
    assert.equal(out.restart_service[frameId]?.ok, true);
    assert.equal(out.restart_crontab[frameId]?.ok, true);
  });

  it('passes kael validate', async () => {
    const r = await runCli(['validate', path.dirname(conf)]);
    assert.equal(r.stdout, '0 error(s), 0 warning(s)\n');
    assert.equal(r.code, 0);
  });
});

describe("the seed's crontab", () => {
  it('runs write.py with KAEL_PYTHON and the shell line in the package folder', async () => {
    const wrapperDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-python-'));
    const marker = path.join(wrapperDir, 'used');
    const wrapper = path.join(wrapperDir, 'python-wrapper');
    await fs.writeFile(wrapper, `#!/bin/sh\necho "$@" >> ${marker}\nexec ${clientPython()} "$@"\n`, {
      mode: 0o755,
    });
    const seed = path.join(ROOT, 'test', 'fixtures', 'seed', 'task1_crontab');
    // The seed's crontab with its schedules every second (the literal one fires once a minute).
    const conf = await makeFrameDir({
      task1_crontab: {
        'setting.yaml': (await fs.readFile(path.join(seed, 'setting.yaml'), 'utf8'))
          .replace("'* * * * *'", "'* * * * * *'")
          .replace("'*/2 * * * *'", "'*/2 * * * * *'"),
        'write.py': await fs.readFile(path.join(seed, 'write.py')),
        'word.txt': await fs.readFile(path.join(seed, 'word.txt')),
      },
    });
    const log = path.join(path.dirname(conf), 'task1_crontab', 'log.txt');
    const saved = process.env['KAEL_PYTHON'];
    process.env['KAEL_PYTHON'] = wrapper;
    const ns = randomNamespace();
    const frame = new WorkFrame({
      name: ns,
      auri: AURI,
      serviceGroupConf: conf,
      logger: createLogger('test', 'silent'),
      adminKey: ADMIN_KEY,
    });
    try {
      await frame.start();
      const text = await until(
        'write.py and the shell line to run',
        async () => {
          const t = await fs.readFile(log, 'utf8').catch(() => '');
          return /^write\.py \d{4}-/m.test(t) && /^word$/m.test(t) ? t : undefined;
        },
        20_000,
      );
      assert.ok(text.length > 0);
      assert.match(await fs.readFile(marker, 'utf8'), /task1_crontab\/write\.py/);
    } finally {
      if (saved === undefined) delete process.env['KAEL_PYTHON'];
      else process.env['KAEL_PYTHON'] = saved;
      await frame.stop();
      await deleteNamespace(ns);
    }
  });
});
