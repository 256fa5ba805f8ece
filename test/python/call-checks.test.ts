import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { createLogger, WorkFrame } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../support/broker.js';
import { makeFrameDir } from '../support/frames.js';
import { ADMIN_KEY, clientPython, PYTHON_CLIENT_DIR, pythonJson } from './python.js';

const ECHO: Record<string, string> = {
  'setting.yaml': 'type: service\nservice_base_name: echo\nversion: 1.0\npublish: [back, slow]\n',
  'index.js': [
    'exports.back = (x) => x;',
    'exports.slow = (ms) => new Promise((r) => setTimeout(() => r(ms), ms));',
  ].join('\n'),
};

/** Python helpers: the outcome of a call as [code, seconds] or [null, value]. */
const OUTCOME = [
  'import json, sys, time',
  'from kael import WORK_FRAME, KaelError',
  'def outcome(f):',
  '    t = time.monotonic()',
  '    try:',
  '        return [None, f()]',
  '    except KaelError as e:',
  '        return [e.code, round(time.monotonic() - t, 3)]',
];

describe('the Python client checks', () => {
  const ns = randomNamespace();
  let frame: WorkFrame;

  before(async () => {
    frame = new WorkFrame({
      name: ns,
      auri: AURI,
      serviceGroupConf: await makeFrameDir({ echo: ECHO }),
      logger: createLogger('test', 'silent'),
      adminKey: ADMIN_KEY,
    });
    await frame.start();
  });
  after(async () => {
    await frame.stop();
    await deleteNamespace(ns);
  });

  it('refuses an oversized request and an out-of-range timeout before publishing, and keeps calling', async () => {
    const out = await pythonJson<Record<string, [string | null, unknown]>>(
      [
        ...OUTCOME,
        'c = WORK_FRAME(name=sys.argv[1], max_request_bytes=1000)',
        'print(json.dumps({',
        '  "first": outcome(lambda: c.echo__back(1)),',
        '  "big": outcome(lambda: c.echo__back("x" * 2000)),',
        '  "default_limit": outcome(lambda: WORK_FRAME(name=sys.argv[1]).echo__back("x" * (17 * 1024 * 1024))),',
        '  "forever": outcome(lambda: c.call("echo__back", [1], timeout=1e12)),',
        '  "negative": outcome(lambda: c.call("echo__back", [1], timeout=-1)),',
        '  "after": outcome(lambda: c.echo__back(2))}))',
      ].join('\n'),
      [ns],
    );
    assert.deepEqual(out['first'], [null, 1]);
    assert.equal(out['big']?.[0], 'REQUEST_TOO_LARGE');
    assert.equal(out['default_limit']?.[0], 'REQUEST_TOO_LARGE');
    assert.equal(out['forever']?.[0], 'OPTION_INVALID');
    assert.equal(out['negative']?.[0], 'OPTION_INVALID');
    assert.deepEqual(out['after'], [null, 2], 'the same client still calls');
  });

  it('fails a call of a service whose last frame stopped with SERVICE_NOT_FOUND at once', async () => {
    const other = randomNamespace();
    const gone = new WorkFrame({
      name: other,
      auri: AURI,
      serviceGroupConf: await makeFrameDir({ echo: ECHO }),
      logger: createLogger('test', 'silent'),
      adminKey: ADMIN_KEY,
    });
    await gone.start();
    let stopped = false;
    const child = spawn(
      clientPython(),
      [
        '-c',
        [
          ...OUTCOME,
          'c = WORK_FRAME(name=sys.argv[1])',
          'for _ in sys.stdin:',
          '    print(json.dumps(outcome(lambda: c.call("echo__back", [1], timeout=30))), flush=True)',
        ].join('\n'),
        other,
      ],
      {
        env: { ...process.env, PYTHONPATH: PYTHON_CLIENT_DIR, KAEL_AURI: AURI },
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const call = async (): Promise<[string | null, unknown]> => {
      child.stdin.write('call\n');
      const next = await lines.next();
      assert.equal(next.done, false, 'the Python caller stopped');
      return JSON.parse(next.value) as [string | null, unknown];
    };
    try {
      assert.deepEqual(await call(), [null, 1]);
      await gone.stop();
      stopped = true;
      const [code, seconds] = await call();
      assert.equal(code, 'SERVICE_NOT_FOUND');
      assert.ok((seconds as number) < 1, `took ${String(seconds)} s`);
      const [again] = await call();
      assert.equal(again, 'SERVICE_NOT_FOUND');
    } finally {
      child.kill('SIGKILL');
      if (!stopped) await gone.stop();
      await deleteNamespace(other);
    }
  });
});
