import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectClient, createLogger, WorkFrame } from '@kael/runtime';
import type { KaelError, RemoteError, ServiceProxy } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../support/broker.js';
import { frameWithClient, makeFrameDir, runCli } from '../support/frames.js';
import type { FrameAndClient } from '../support/frames.js';
import { ADMIN_KEY, startKaelRun } from './python.js';

/** A Python service package exercising what the worker must handle. */
export const PY_TOOLS: Record<string, string> = {
  'setting.yaml': [
    'type: service',
    'service_base_name: pytools',
    'version: 1.0',
    'publish: [add, kw, slow, sleep_sync, fail, unencodable, obj, crash, segfault, cwd, pid, echo, rel, printer]',
    'args:',
    '  add: { type: array, prefixItems: [{ type: number }, { type: number }] }',
    '',
  ].join('\n'),
  '__init__.py': [
    'import asyncio, ctypes, os, time',
    'from .helpers import twice',
    '',
    'def add(a, b):',
    '    """Adds two numbers."""',
    '    return a + b',
    '',
    'def kw(a, b=0, *, scale=1):',
    '    return (a + b) * scale',
    '',
    'async def slow(seconds):',
    '    await asyncio.sleep(seconds)',
    '    return os.getpid()',
    '',
    'def sleep_sync(seconds):',
    '    time.sleep(seconds)',
    '    return os.getpid()',
    '',
    'def fail():',
    '    raise ValueError("bad input")',
    '',
    'def unencodable():',
    '    return {1, 2}',
    '',
    'class Thing:',
    '    pass',
    '',
    'def obj():',
    '    return Thing()',
    '',
    'def crash():',
    '    os._exit(3)',
    '',
    'def segfault():',
    '    ctypes.string_at(0)',
    '',
    'def cwd():',
    '    return os.getcwd()',
    '',
    'def pid():',
    '    return os.getpid()',
    '',
    'def echo(x):',
    '    return x',
    '',
    'def rel(x):',
    '    return twice(x)',
    '',
    'def printer():',
    '    print("user code writes to stdout")',
    '    return "printed"',
    '',
  ].join('\n'),
  'helpers.py': 'def twice(x):\n    return 2 * x\n',
};

interface PyTools {
  pytools__add(a: unknown, b: unknown): Promise<number>;
  pytools__slow(seconds: number): Promise<number>;
  pytools__sleep_sync(seconds: number): Promise<number>;
  pytools__fail(): Promise<never>;
  pytools__unencodable(): Promise<never>;
  pytools__obj(): Promise<never>;
  pytools__crash(): Promise<never>;
  pytools__segfault(): Promise<never>;
  pytools__cwd(): Promise<string>;
  pytools__pid(): Promise<number>;
  pytools__echo(x: unknown): Promise<unknown>;
  pytools__rel(x: number): Promise<number>;
  pytools__printer(): Promise<string>;
}

const quiet = createLogger('test', 'silent');

function codeOf(e: unknown): string {
  return (e as KaelError).code;
}

describe('a Python service package', () => {
  let setup: FrameAndClient<PyTools>;
  let client: ServiceProxy<PyTools>;
  let dir: string;

  before(async () => {
    setup = await frameWithClient<PyTools>({ pytools: PY_TOOLS }, { adminKey: ADMIN_KEY });
    ({ client } = setup);
    dir = path.join(path.dirname(setup.frame.options.serviceGroupConf), 'pytools');
  });

  after(async () => {
    await setup.close();
  });

  it('serves its published functions as <service_base_name>__<function>', async () => {
    assert.equal(await client.pytools__add(1, 2), 3);
    assert.deepEqual(setup.frame.snapshot().packages[0]?.services?.slice(0, 2), [
      'pytools__add',
      'pytools__kw',
    ]);
    assert.equal(setup.frame.snapshot().packages[0]?.error, undefined);
  });

  it('imports the folder as a package: relative imports work and the folder is the working directory', async () => {
    assert.equal(await client.pytools__rel(21), 42);
    assert.equal(await client.pytools__cwd(), dir);
  });

  it('passes kwargs as Python keyword arguments', async () => {
    assert.equal(await client.call('pytools__kw', [1], { kwargs: { b: 2, scale: 10 } }), 30);
    await assert.rejects(client.call('pytools__kw', [1], { kwargs: { nope: 1 } }), (e: RemoteError) => {
      assert.equal(e.code, 'REMOTE_ERROR');
      assert.equal(e.remote.name, 'TypeError');
      return true;
    });
  });

  it('answers JSON callers in JSON and carries bytes both ways', async () => {
    assert.equal(await client.call('pytools__add', [2, 3], { json: true }), 5);
    const bytes = new Uint8Array([0, 1, 254, 255]);
    assert.deepEqual(new Uint8Array((await client.pytools__echo(bytes)) as Uint8Array), bytes);
    assert.deepEqual(await client.pytools__echo({ nested: [1, 'é', null, true] }), {
      nested: [1, 'é', null, true],
    });
  });

  it("checks the package's args schema before Python runs", async () => {
    await assert.rejects(client.pytools__add('one', 2), { code: 'INVALID_ARGS' });
  });

  it('keeps what user code prints away from the channel', async () => {
    assert.equal(await client.pytools__printer(), 'printed');
    assert.equal(await client.pytools__add(2, 2), 4);
  });

  it('runs calls concurrently: async def functions and plain functions that block', async () => {
    await Promise.all([client.pytools__slow(0.01), client.pytools__sleep_sync(0.01)]);
    for (const call of [() => client.pytools__slow(0.3), () => client.pytools__sleep_sync(0.3)]) {
      const t0 = Date.now();
      await Promise.all([call(), call(), call()]);
      const ms = Date.now() - t0;
      assert.ok(ms < 600, `3 parallel calls of a function sleeping 300 ms took ${ms} ms`);
    }
  });

  it('returns a Python exception as REMOTE_ERROR with its type name and message, without a stack', async () => {
    await assert.rejects(client.pytools__fail(), (e: RemoteError) => {
      assert.equal(e.code, 'REMOTE_ERROR');
      assert.deepEqual(
        [e.remote.name, e.remote.message, e.remote.stack],
        ['ValueError', 'bad input', undefined],
      );
      return true;
    });
  });

  it('answers a value that cannot be encoded with ENCODE_ERROR naming the function', async () => {
    for (const [call, name] of [
      [() => client.pytools__unencodable(), 'pytools__unencodable'],
      [() => client.pytools__obj(), 'pytools__obj'],
    ] as const) {
      await assert.rejects(call(), (e: RemoteError) => {
        assert.equal(e.code, 'ENCODE_ERROR');
        assert.match(e.message, new RegExp(`^${name} returned a value that cannot be encoded`));
        return true;
      });
    }
  });

  it('fails the call in flight with WORKER_CRASHED when the worker dies, and restarts it', async () => {
    const before = await client.pytools__pid();
    for (const [crash, fn] of [
      [() => client.pytools__crash(), 'pytools__crash'],
      [() => client.pytools__segfault(), 'pytools__segfault'],
    ] as const) {
      await assert.rejects(crash(), (e: RemoteError) => {
        assert.equal(e.code, 'WORKER_CRASHED');
        assert.equal(e.remote.code, 'WORKER_CRASHED');
        assert.equal(e.remote.details?.['function'], fn);
        return true;
      });
    }
    const after = await client.pytools__pid();
    assert.notEqual(after, before);
    assert.equal(await client.pytools__add(1, 1), 2);
  });

  it('restarts on fresh code with no failed call under load', async () => {
    let failed = 0;
    let done = 0;
    let running = true;
    const errors: string[] = [];
    const load = Array.from({ length: 12 }, async () => {
      while (running) {
        try {
          await client.pytools__add(1, 2);
          done++;
        } catch (e) {
          failed++;
          errors.push(codeOf(e));
        }
      }
    });
    await setup.frame.reload('service');
    const init = path.join(dir, '__init__.py');
    await fs.writeFile(init, (PY_TOOLS['__init__.py'] ?? '').replace('return a + b', 'return a + b + 100'));
    await setup.frame.reload('service');
    running = false;
    await Promise.all(load);
    assert.deepEqual([failed, errors], [0, []]);
    assert.ok(done > 20, `only ${done} calls completed`);
    assert.equal(await client.pytools__add(1, 2), 103);
    await fs.writeFile(init, PY_TOOLS['__init__.py'] ?? '');
    await setup.frame.reload('service');
  });
});

describe('Python packages on several worker processes', () => {
  it('starts one Python worker per service worker with --processes 2', async () => {
    const setup = await frameWithClient<PyTools>({ pytools: PY_TOOLS }, { processes: 2 });
    try {
      const pids = new Set(
        await Promise.all(Array.from({ length: 40 }, () => setup.client.pytools__sleep_sync(0.03))),
      );
      assert.equal(pids.size, 2);
    } finally {
      await setup.close();
    }
  });
});

describe('Python packages that cannot load', () => {
  const ns = randomNamespace();
  let frame: WorkFrame;
  let conf: string;

  const service = (name: string, publish: string, init: string): Record<string, string> => ({
    'setting.yaml': `type: service\nservice_base_name: ${name}\nversion: 1.0\npublish: [${publish}]\n`,
    '__init__.py': init,
  });

  before(async () => {
    conf = await makeFrameDir({
      good: service('good', 'add', 'def add(a, b):\n    return a + b\n'),
      syntax: service('syntax', 'add', 'def add(a, b):\n    return a +\n'),
      missing: service(
        'missing',
        'add',
        'import kael_no_such_module_xyz\n\ndef add(a, b):\n    return a + b\n',
      ),
      undefined_name: service('undef', 'add, minus', 'def add(a, b):\n    return a + b\n'),
      generator: service('gen', 'numbers', 'def numbers():\n    yield 1\n'),
    });
    frame = new WorkFrame({
      name: ns,
      auri: AURI,
      serviceGroupConf: conf,
      logger: quiet,
      adminKey: ADMIN_KEY,
    });
    await frame.start();
  });

  after(async () => {
    await frame.stop();
    await deleteNamespace(ns);
  });

  const errorOf = (
    name: string,
  ): { code: string; message: string; details?: Record<string, unknown> } | undefined =>
    frame.snapshot().packages.find((p) => p.name === name)?.error;

  it('reports a syntax error as PACKAGE_INVALID with the Python message and line', () => {
    const e = errorOf('syntax');
    assert.equal(e?.code, 'PACKAGE_INVALID');
    assert.match(
      e?.message ?? '',
      /syntax\/setting\.yaml: publish: __init__\.py cannot be loaded: line 2:15: invalid syntax$/,
    );
    assert.deepEqual([e?.details?.['code'], e?.details?.['pointer']], ['entry-syntax', '/publish']);
  });

  it('reports a missing module as PACKAGE_INVALID with the import line', () => {
    const e = errorOf('missing');
    assert.equal(e?.code, 'PACKAGE_INVALID');
    assert.match(
      e?.message ?? '',
      /missing\/setting\.yaml: publish: __init__\.py cannot be loaded: line 1: ModuleNotFoundError: No module named 'kael_no_such_module_xyz'$/,
    );
    assert.equal(e?.details?.['code'], 'entry-import');
  });

  it('names the publish entry that __init__.py does not define or that is a generator', () => {
    assert.deepEqual(
      [errorOf('undef')?.details?.['pointer'], errorOf('undef')?.details?.['code']],
      ['/publish/1', 'export-missing'],
    );
    assert.equal(errorOf('gen')?.details?.['code'], 'export-not-function');
  });

  it('keeps serving the good package', async () => {
    const client = await connectClient<{ good__add(a: number, b: number): Promise<number> }>({
      name: ns,
      auri: AURI,
    });
    try {
      assert.equal(await client.good__add(2, 3), 5);
      await assert.rejects(client.call('syntax__add', [1, 2]), { code: 'SERVICE_NOT_FOUND' });
    } finally {
      await client.close();
    }
  });

  it("reports them in kael run's log at start", async () => {
    const other = randomNamespace();
    const run = startKaelRun(conf, other);
    try {
      await run.ready;
      assert.match(
        run.log(),
        /package \.\/syntax: .*syntax\/setting\.yaml: publish: __init__\.py cannot be loaded: line 2:15: invalid syntax \{"code":"PACKAGE_INVALID"\}/,
      );
      assert.match(
        run.log(),
        /package \.\/missing: .*ModuleNotFoundError: No module named 'kael_no_such_module_xyz' \{"code":"PACKAGE_INVALID"\}/,
      );
    } finally {
      await run.stop();
      await deleteNamespace(other);
    }
  });

  it('shows the failures in kael status (exit 1)', async () => {
    const r = await runCli(['status', '--name', ns]);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /syntax +1\.0 +FAILED {2}syntax__add\n +setting\.yaml:4:1: publish: __init__\.py cannot be loaded: line 2:15: invalid syntax \[entry-syntax\]\n/,
    );
    assert.match(
      r.stdout,
      /missing +1\.0 +FAILED {2}missing__add\n +setting\.yaml:4:1: publish: __init__\.py cannot be loaded: line 1: ModuleNotFoundError: No module named 'kael_no_such_module_xyz' \[entry-import\]\n/,
    );
  });
});

describe('the Python interpreter', () => {
  it('is KAEL_PYTHON when set; one that cannot start makes the package PACKAGE_INVALID', async () => {
    const saved = process.env['KAEL_PYTHON'];
    process.env['KAEL_PYTHON'] = '/nonexistent/python3';
    const ns = randomNamespace();
    const frame = new WorkFrame({
      name: ns,
      auri: AURI,
      serviceGroupConf: await makeFrameDir({ pytools: PY_TOOLS }),
      logger: quiet,
    });
    try {
      await frame.start();
      const error = frame.snapshot().packages[0]?.error;
      assert.equal(error?.code, 'PACKAGE_INVALID');
      assert.match(
        error?.message ?? '',
        /cannot start the Python interpreter "\/nonexistent\/python3" \(KAEL_PYTHON\)/,
      );
    } finally {
      if (saved === undefined) delete process.env['KAEL_PYTHON'];
      else process.env['KAEL_PYTHON'] = saved;
      await frame.stop();
      await deleteNamespace(ns);
    }
  });

  it('answers a Python reply over the frame limit with REPLY_TOO_LARGE and keeps serving', async () => {
    let setup: FrameAndClient<PyTools> | undefined;
    try {
      setup = await frameWithClient<PyTools>({ pytools: PY_TOOLS }, { limits: { maxReplyBytes: 1000 } });
      await assert.rejects(setup.client.call('pytools__echo', ['x'.repeat(2000)]), (e: RemoteError) => {
        assert.equal(e.remote.code, 'REPLY_TOO_LARGE');
        assert.match(
          e.remote.message,
          /^pytools__echo returned \d+ bytes, over this frame's limit of 1000 bytes$/,
        );
        return true;
      });
      assert.equal(await setup.client.call('pytools__echo', ['ok']), 'ok');
    } finally {
      await setup?.client.close();
      await setup?.close();
    }
  });

  it('sends the Python traceback as the stack only when the frame runs with debugErrors', async () => {
    let setup: FrameAndClient<PyTools> | undefined;
    try {
      setup = await frameWithClient<PyTools>({ pytools: PY_TOOLS }, { debugErrors: true });
      await assert.rejects(setup.client.pytools__fail(), (e: RemoteError) => {
        assert.match(
          e.remote.stack ?? '',
          /Traceback \(most recent call last\):[\s\S]*__init__\.py", line 20, in fail[\s\S]*ValueError: bad input/,
        );
        return true;
      });
    } finally {
      await setup?.close();
    }
  });
});

describe('updating a Python package', () => {
  it('moves a frame to the newer version under load with no failed call', async () => {
    const ns = randomNamespace();
    const versioned = (version: string): Record<string, string> => ({
      'setting.yaml': `type: service\nservice_base_name: pyver\nversion: ${version}\npublish: [ver, add]\n`,
      '__init__.py': `def ver():\n    return ${JSON.stringify(version)}\n\ndef add(a, b):\n    return a + b\n`,
    });
    const frames = await Promise.all(
      ['1.9', '1.10'].map(async (v) => {
        const f = new WorkFrame({
          name: ns,
          auri: AURI,
          serviceGroupConf: await makeFrameDir({ pyver: versioned(v) }),
          logger: quiet,
          adminKey: ADMIN_KEY,
        });
        await f.start();
        return f;
      }),
    );
    const client = await connectClient<{ pyver__add(a: number, b: number): Promise<number> }>({
      name: ns,
      auri: AURI,
      adminKey: ADMIN_KEY,
    });
    try {
      let failed = 0;
      let done = 0;
      let running = true;
      const load = Array.from({ length: 12 }, async () => {
        while (running) {
          try {
            await client.pyver__add(1, 2);
            done++;
          } catch {
            failed++;
          }
        }
      });
      const results = await client.updateService('pyver');
      running = false;
      await Promise.all(load);
      const old = frames[0] as WorkFrame;
      assert.deepEqual(
        { ...results[old.id], package: results[old.id]?.package?.state },
        { ok: true, from: '1.9', to: '1.10', package: 'ok' },
      );
      assert.equal(failed, 0);
      assert.ok(done > 20, `only ${done} calls completed`);
      assert.equal(old.snapshot().packages[0]?.version, '1.10');
      const answers = new Set(await Promise.all(Array.from({ length: 20 }, () => client.call('pyver__ver'))));
      assert.deepEqual([...answers], ['1.10']);
    } finally {
      await client.close();
      await Promise.all(frames.map((f) => f.stop()));
      await deleteNamespace(ns);
    }
  });
});
