import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { startFrameProcess } from '@kael/runtime/bench/frame-process';
import { makeFrameDir } from '../support/frames.js';
import { randomNamespace } from '../support/broker.js';
import { startPrivateBroker } from '../support/private-broker.js';
import type { PrivateBroker } from '../support/private-broker.js';
import { ADMIN_KEY, clientPython, PYTHON_CLIENT_DIR } from './python.js';

/** A Python caller that makes one call per line it reads and prints the outcome as one JSON line. */
const CALLER = `
import json, sys
from kael import WORK_FRAME, KaelError
client = WORK_FRAME(name=sys.argv[1], auri=sys.argv[2])
for _ in sys.stdin:
    try:
        out = {"value": client.call("pycalc__add", [1, 2], timeout=2)}
    except KaelError as e:
        out = {"code": e.code}
    print(json.dumps(out), flush=True)
`;

describe('the Python client across a broker restart', () => {
  let broker: PrivateBroker;

  before(async () => {
    broker = await startPrivateBroker();
  });

  after(async () => {
    await broker.down();
  });

  it('fails calls with BROKER_UNAVAILABLE while the broker is down, then reconnects by itself', async () => {
    const ns = randomNamespace();
    const auri = broker.urls[0] ?? '';
    const frame = startFrameProcess(
      await makeFrameDir({
        pycalc: {
          'setting.yaml': 'type: service\nservice_base_name: pycalc\nversion: 1.0\npublish: [add]\n',
          '__init__.py': 'def add(a, b):\n    return a + b\n',
        },
      }),
      ns,
      auri,
      [],
      { KAEL_ADMIN_KEY: ADMIN_KEY },
    );
    const child = spawn(clientPython(), ['-c', CALLER, ns, auri], {
      env: { ...process.env, PYTHONPATH: PYTHON_CLIENT_DIR },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const call = async (): Promise<{ value?: number; code?: string }> => {
      child.stdin.write('call\n');
      const next = await lines.next();
      assert.equal(next.done, false, 'the Python caller stopped');
      return JSON.parse(next.value) as { value?: number; code?: string };
    };
    try {
      await frame.ready;
      assert.deepEqual(await call(), { value: 3 });
      await broker.stop();
      assert.deepEqual(await call(), { code: 'BROKER_UNAVAILABLE' });
      await broker.restart();
      const deadline = Date.now() + 60_000;
      let last = await call();
      while (last.value === undefined && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        last = await call();
      }
      assert.deepEqual(last, { value: 3 });
    } finally {
      child.kill('SIGKILL');
      await frame.stop();
    }
  });
});
