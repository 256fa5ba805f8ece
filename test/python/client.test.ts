import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectClient, createLogger, WorkFrame } from '@kael/runtime';
import { AURI, createBrokerUser, deleteNamespace, rabbitmqctl, randomNamespace } from '../support/broker.js';
import { KAEL_CLI, makeFrameDir } from '../support/frames.js';
import { until } from '../support/wait.js';
import { ADMIN_KEY, clientPython, PYTHON_CLIENT_DIR, pythonJson } from './python.js';

const JS_CALC: Record<string, string> = {
  'setting.yaml':
    'type: service\nservice_base_name: jscalc\nversion: 1.0\npublish: [add, slow, fail, kw]\nargs:\n  add: { type: array, prefixItems: [{ type: number }, { type: number }] }\n',
  'index.js': [
    'exports.add = (a, b) => a + b;',
    'exports.slow = (ms) => new Promise((r) => setTimeout(() => r(ms), ms));',
    "exports.fail = () => { throw new RangeError('js says no'); };",
    'exports.kw = (a, kw) => ({ a, kw });',
  ].join('\n'),
};

function pyCalc(version: string): Record<string, string> {
  return {
    'setting.yaml': `type: service\nservice_base_name: pycalc\nversion: ${version}\npublish: [add, scale, fail, ver]\n`,
    '__init__.py': [
      'def add(a, b):',
      '    return a + b',
      '',
      'def scale(x, factor=1):',
      '    return x * factor',
      '',
      'def fail():',
      '    raise KeyError("py says no")',
      '',
      'def ver():',
      `    return ${JSON.stringify(version)}`,
      '',
    ].join('\n'),
  };
}

const quiet = createLogger('test', 'silent');

async function startFrame(ns: string, packages: Parameters<typeof makeFrameDir>[0]): Promise<WorkFrame> {
  const frame = new WorkFrame({
    name: ns,
    auri: AURI,
    serviceGroupConf: await makeFrameDir(packages),
    logger: quiet,
    adminKey: ADMIN_KEY,
  });
  await frame.start();
  return frame;
}

type Failure = [string, string | null, string] | null;

/** A frame's deploy result as the Python client returns it (the package's state after the restart). */
interface Deployed {
  ok: boolean;
  from: string | null;
  to: string;
  package?: { state: string };
}

const brief = (r: Deployed | undefined): Record<string, unknown> | undefined =>
  r === undefined ? undefined : { ok: r.ok, from: r.from, to: r.to, state: r.package?.state };

describe('the Python client', () => {
  const ns = randomNamespace();
  let a: WorkFrame;
  let b: WorkFrame;
  let c: WorkFrame;

  before(async () => {
    [a, b, c] = await Promise.all([
      startFrame(ns, { jscalc: JS_CALC, pycalc: pyCalc('1.0') }),
      startFrame(ns, { pycalc: pyCalc('1.1') }),
      startFrame(ns, { jscalc: JS_CALC }),
    ]);
  });

  after(async () => {
    await Promise.all([a, b, c].map((f) => f.stop()));
    await deleteNamespace(ns);
  });

  it('calls JS-served and Python-served functions, with keyword arguments', async () => {
    const out = await pythonJson<Record<string, unknown>>(
      [
        'import json, sys',
        'from kael import WORK_FRAME',
        'c = WORK_FRAME(name=sys.argv[1])',
        'print(json.dumps({',
        '  "js": c.jscalc__add(1, 2), "py": c.pycalc__add(1, 2),',
        '  "py_kw": c.pycalc__scale(3, factor=4), "js_kw": c.jscalc__kw(1, x=2),',
        '  "text": c.pycalc__add("a", "b"), "float": c.jscalc__add(0.5, 0.25)}))',
      ].join('\n'),
      [ns],
    );
    assert.deepEqual(out, {
      js: 3,
      py: 3,
      py_kw: 12,
      js_kw: { a: 1, kw: { x: 2 } },
      text: 'ab',
      float: 0.75,
    });
  });

  it('publishes calls to the default exchange when its broker user may write there, else to the call exchange', async () => {
    // Everything under the namespace and server-named queues, but no write on amq.default.
    const own = `^(kael\\.${ns}\\..*|amq\\.gen-.*)$`;
    const confined = await createBrokerUser('python-client', { configure: own, write: own, read: own });
    try {
      const out = await pythonJson<Record<string, unknown>>(
        [
          'import json, sys',
          'from kael import WORK_FRAME',
          'admin = WORK_FRAME(name=sys.argv[1])',
          'confined = WORK_FRAME(name=sys.argv[1], auri=sys.argv[2])',
          'print(json.dumps({',
          '  "admin": [admin.jscalc__add(1, 2), admin._conn().call_exchange],',
          '  "confined": [confined.jscalc__add(2, 3), confined._conn().call_exchange]}))',
        ].join('\n'),
        [ns, confined.url],
      );
      assert.deepEqual(out, { admin: [3, ''], confined: [5, `kael.${ns}.call`] });
    } finally {
      await rabbitmqctl('delete_user', confined.name);
    }
  });

  it('raises exceptions carrying the same codes as the TypeScript client', async () => {
    const out = await pythonJson<Record<string, Failure>>(
      [
        'import json, sys',
        'from kael import WORK_FRAME, KaelError, RemoteError',
        'c = WORK_FRAME(name=sys.argv[1])',
        'def failure(f):',
        '    try:',
        '        f()',
        '    except RemoteError as e:',
        '        return [e.code, e.remote_name, e.message]',
        '    except KaelError as e:',
        '        return [e.code, None, e.message]',
        'print(json.dumps({',
        '  "not_found": failure(lambda: c.nope__x()),',
        '  "timeout": failure(lambda: c.call("jscalc__slow", [3000], timeout=0.3)),',
        '  "py_error": failure(lambda: c.pycalc__fail()),',
        '  "js_error": failure(lambda: c.jscalc__fail()),',
        '  "invalid_args": failure(lambda: c.jscalc__add("x", 1)),',
        '  "unencodable": failure(lambda: c.pycalc__add({1}, 2)),',
        '  "still_fine": failure(lambda: c.pycalc__add(1, 1))}))',
      ].join('\n'),
      [ns],
    );
    assert.equal(out['not_found']?.[0], 'SERVICE_NOT_FOUND');
    assert.equal(out['timeout']?.[0], 'RPC_TIMEOUT');
    assert.deepEqual(out['py_error'], ['REMOTE_ERROR', 'KeyError', "KeyError: 'py says no'"]);
    assert.deepEqual(out['js_error'], ['REMOTE_ERROR', 'RangeError', 'RangeError: js says no']);
    assert.equal(out['invalid_args']?.[0], 'INVALID_ARGS');
    assert.equal(out['unencodable']?.[0], 'ENCODE_ERROR');
    assert.match(out['unencodable']?.[2] ?? '', /pycalc__add/);
    assert.equal(out['still_fine'], null);
  });

  it('updates, installs, rolls back and restarts a Python package with signed commands', async () => {
    const out = await pythonJson<{
      frames: string[];
      last: string;
      update: Record<string, Deployed>;
      install: Record<string, Deployed>;
      versions: string[];
      answers: string[];
      rollback: Record<string, Deployed>;
      restart: Record<
        string,
        { ok: boolean; value?: { ok: boolean; packages: { name: string; version: string; state: string }[] } }
      >;
    }>(
      [
        'import json, sys',
        'from kael import WORK_FRAME',
        'a, b, c = sys.argv[2:5]',
        'client = WORK_FRAME(name=sys.argv[1])',
        'out = {"frames": [f["id"] for f in client.servers()]}',
        'out["last"] = client.get_last_version(service="pycalc", pkg_type="service")',
        'out["update"] = client.update_service("pycalc", not_id=[c])',
        'out["install"] = client.install_service("pycalc", "./pycalc_installed", id=c)',
        'out["versions"] = [p["version"] for p in client.package_status("service", "pycalc")]',
        'out["answers"] = sorted({client.pycalc__ver() for _ in range(30)})',
        'out["rollback"] = client.rollback_service("pycalc", id=a)',
        'out["restart"] = client.get_response(client.command("_restart_service", id=a), timeout=60)',
        'print(json.dumps(out))',
      ].join('\n'),
      [ns, a.id, b.id, c.id],
    );
    assert.deepEqual(out.frames, [a.id, b.id, c.id].sort());
    assert.equal(out.last, '1.1');
    assert.deepEqual(brief(out.update[a.id]), { ok: true, from: '1.0', to: '1.1', state: 'ok' });
    assert.equal(out.update[b.id]?.ok, true);
    assert.deepEqual(Object.keys(out.install), [c.id]);
    assert.deepEqual(brief(out.install[c.id]), { ok: true, from: null, to: '1.1', state: 'ok' });
    assert.deepEqual(out.versions, ['1.1', '1.1', '1.1']);
    assert.deepEqual(out.answers, ['1.1']);
    assert.deepEqual(brief(out.rollback[a.id]), { ok: true, from: '1.1', to: '1.0', state: 'ok' });
    assert.deepEqual(Object.keys(out.restart), [a.id]);
    assert.equal(out.restart[a.id]?.value?.ok, true);
    assert.deepEqual(
      out.restart[a.id]?.value?.packages.map((p) => [p.name, p.version, p.state]),
      [
        ['jscalc', '1.0', 'ok'],
        ['pycalc', '1.0', 'ok'],
      ],
    );
    assert.equal(
      c.snapshot().packages.find((p) => p.name === 'pycalc')?.dir,
      path.join(path.dirname(c.options.serviceGroupConf), 'pycalc_installed'),
    );
  });

  it('is refused changing commands without the admin key, or with a wrong one', async () => {
    const script = [
      'import json, sys',
      'from kael import WORK_FRAME',
      'client = WORK_FRAME(name=sys.argv[1], admin_key=sys.argv[2] or None)',
      'r = client.command_all("_restart_service", timeout=30)',
      'print(json.dumps(sorted({v["error"]["code"] for v in r.values() if not v["ok"]})))',
    ].join('\n');
    assert.deepEqual(await pythonJson<string[]>(script, [ns, ''], { KAEL_ADMIN_KEY: '' }), ['UNAUTHORIZED']);
    assert.deepEqual(await pythonJson<string[]>(script, [ns, 'wrong'], { KAEL_ADMIN_KEY: '' }), [
      'UNAUTHORIZED',
    ]);
  });
});

describe('WORK_FRAME(...).frame_start()', () => {
  it('runs the kael daemon in the foreground and stops it on SIGTERM', async () => {
    const ns = randomNamespace();
    const conf = await makeFrameDir({ pycalc: pyCalc('1.0') });
    const child = spawn(
      clientPython(),
      [
        '-c',
        'import sys\nfrom kael import WORK_FRAME\nsys.exit(WORK_FRAME(name=sys.argv[1], auri=sys.argv[2], service_group_conf=sys.argv[3]).frame_start())',
        ns,
        AURI,
        conf,
      ],
      {
        env: {
          ...process.env,
          PYTHONPATH: PYTHON_CLIENT_DIR,
          KAEL_ADMIN_KEY: ADMIN_KEY,
          KAEL_CLI: `'${process.execPath}' '${KAEL_CLI}'`,
        },
        stdio: ['ignore', 'ignore', 'ignore'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const client = await connectClient<{ pycalc__add(a: number, b: number): Promise<number> }>({
      name: ns,
      auri: AURI,
    });
    try {
      await until(
        'the frame to announce itself',
        async () => ((await client.servers()).length > 0 ? true : undefined),
        60_000,
      );
      assert.equal(await client.pycalc__add(20, 22), 42);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
      await client.close();
      await deleteNamespace(ns);
    }
  });
});
