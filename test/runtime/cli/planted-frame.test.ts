import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConfigProblem, FrameSnapshot } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import { KAEL_CLI, makeFrameDir, runCli } from '../../support/frames.js';

const service = (name: string, publish: string, extra = ''): string =>
  `type: service\nservice_base_name: ${name}\nversion: 1.0\npublish: [${publish}]\n${extra}`;
const PY_ADD = 'def add(a, b):\n    return a + b\n';

/**
 * A frame whose packages each hold one ordinary mistake, and the code both `kael validate` and
 * `kael run` must give it (undefined: the package loads). `loadOnly` mistakes need the code to run.
 */
const PLANTED: Record<
  string,
  { files: Record<string, string>; code: string | undefined; loadOnly?: boolean }
> = {
  good: {
    files: { 'setting.yaml': service('good', 'add'), 'index.js': 'exports.add = (a, b) => a + b;' },
    code: undefined,
  },
  unexported: {
    files: {
      'setting.yaml': service('unexported', 'add, minus'),
      'index.js': 'exports.add = (a, b) => a + b;',
    },
    code: 'export-missing',
  },
  notfn: {
    files: { 'setting.yaml': service('notfn', 'limit'), 'index.ts': 'export const limit = 3;\n' },
    code: 'export-not-function',
  },
  noentry: { files: { 'setting.yaml': service('noentry', 'add') }, code: 'entry-missing' },
  syntax: {
    files: {
      'setting.yaml': service('syntax', 'add'),
      'index.js': 'exports.add = (a, b) => { return a + b;\n',
    },
    code: 'entry-syntax',
  },
  badyaml: {
    files: { 'setting.yaml': 'type: service\npublish: [add\n', 'index.js': '' },
    code: 'yaml-syntax',
  },
  typo: {
    files: {
      'setting.yaml': service('typo', 'add', 'overlap: skip\n'),
      'index.js': 'exports.add = () => 1;',
    },
    code: 'key-unknown',
  },
  badversion: {
    files: {
      'setting.yaml': service('badversion', 'add').replace('1.0', '1.x'),
      'index.js': 'exports.add = () => 1;',
    },
    code: 'version-invalid',
  },
  cron: {
    files: {
      'setting.yaml': "type: crontab\ncrontab_name: cron\nversion: 1\npublish:\n  - ['*/2 * * *', job.py]\n",
    },
    code: 'schedule-invalid',
  },
  never: {
    files: {
      'setting.yaml':
        "type: crontab\ncrontab_name: never\nversion: 1\npublish:\n  - ['0 0 31 2 *', 'echo hi']\n",
    },
    code: undefined,
  },
  dup1: {
    files: { 'setting.yaml': service('dup', 'add'), 'index.js': 'exports.add = () => 1;' },
    code: undefined,
  },
  dup2: {
    files: { 'setting.yaml': service('dup', 'add'), 'index.js': 'exports.add = () => 2;' },
    code: 'duplicate-name',
  },
  nosetting: { files: { 'index.js': '' }, code: 'setting-missing' },
  throws: {
    files: {
      'setting.yaml': service('throws', 'add'),
      'index.js': 'exports.add = () => 1;\nthrow new Error("no config");\n',
    },
    code: 'entry-missing',
    loadOnly: true,
  },
  dynamic: {
    files: {
      'setting.yaml': service('dynamic', 'add, minus'),
      'index.js': "module.exports = require('./impl');\n",
      'impl.js': 'exports.add = () => 1;\n',
    },
    code: 'export-missing',
    loadOnly: true,
  },
  // Python packages (the seed's layout): read with Python's ast by kael validate, imported by the
  // Python worker under kael run.
  pygood: {
    files: { 'setting.yaml': service('pygood', 'add'), '__init__.py': PY_ADD },
    code: undefined,
  },
  pyundefined: {
    files: { 'setting.yaml': service('pyundefined', 'add, minus'), '__init__.py': PY_ADD },
    code: 'export-missing',
  },
  pysyntax: {
    files: { 'setting.yaml': service('pysyntax', 'add'), '__init__.py': 'def add(a, b):\n    return a +\n' },
    code: 'entry-syntax',
  },
  pyimport: {
    files: {
      'setting.yaml': service('pyimport', 'add'),
      '__init__.py': `import kael_no_such_module_xyz\n\n${PY_ADD}`,
    },
    code: 'entry-import',
  },
  pythrows: {
    files: {
      'setting.yaml': service('pythrows', 'add'),
      '__init__.py': `raise RuntimeError("no config")\n\n${PY_ADD}`,
    },
    code: 'entry-missing',
    loadOnly: true,
  },
};

/** The Python packages whose mistake shows without running the code: same words in both verdicts. */
const PYTHON_READ = ['pyundefined', 'pysyntax', 'pyimport'];

/** `kael validate --json`: the code on each frame.yaml path line, by the entry as written. */
async function validateVerdict(conf: string, load: boolean): Promise<Record<string, string | undefined>> {
  const r = await runCli(['validate', conf, '--json', ...(load ? ['--load'] : [])]);
  const { problems } = JSON.parse(r.stdout) as { problems: ConfigProblem[] };
  const out: Record<string, string | undefined> = {};
  for (const [i, name] of [...Object.keys(PLANTED), 'missing'].entries()) {
    const onLine = problems.find(
      (p) => p.file === conf && p.pointer === `/path/${i}` && p.severity === 'error',
    );
    out[name] = onLine?.code;
  }
  return out;
}

/** A `kael run` process and what it printed when it started. */
function startRun(conf: string, ns: string, extra: string[] = []) {
  const child = spawn(process.execPath, [KAEL_CLI, 'run', conf, '--name', ns, ...extra], {
    env: { ...process.env, KAEL_AURI: AURI, KAEL_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  const started = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (/package\(s\) loaded/.test(stdout)) resolve(stdout);
    });
    void exited.then((code) =>
      reject(new Error(`kael run exited ${code} before it started:\n${stdout}${stderr}`)),
    );
  });
  started.catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
  return {
    started,
    exited,
    output: () => ({ stdout, stderr }),
    async stop(): Promise<number> {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('a frame with planted mistakes: kael validate and kael run agree', () => {
  const ns = randomNamespace();
  let conf: string;
  let run: ReturnType<typeof startRun>;
  let frame: FrameSnapshot;

  before(async () => {
    conf = await makeFrameDir(Object.fromEntries(Object.entries(PLANTED).map(([n, p]) => [n, p.files])), {
      extraPaths: ['./missing'],
    });
    run = startRun(conf, ns);
    await run.started;
    const status = await runCli(['status', '--name', ns, '--json']);
    const [only] = JSON.parse(status.stdout) as FrameSnapshot[];
    assert.ok(only !== undefined, status.stdout);
    frame = only;
  });

  after(async () => {
    await run.stop();
    await deleteNamespace(ns);
  });

  /** `kael run`'s verdict: the problem code of each failed package, by the entry as written. */
  function runVerdict(): Record<string, string | undefined> {
    const out: Record<string, string | undefined> = {};
    for (const name of [...Object.keys(PLANTED), 'missing']) {
      const p = frame.packages.find((x) => x.dir === path.join(path.dirname(conf), name));
      out[name] = p?.state === 'failed' ? (p.error?.details?.['code'] as string | undefined) : undefined;
    }
    return out;
  }

  const expected = (withLoad: boolean): Record<string, string | undefined> => ({
    ...Object.fromEntries(
      Object.entries(PLANTED).map(([n, p]) => [n, p.loadOnly === true && !withLoad ? undefined : p.code]),
    ),
    missing: 'path-missing',
  });

  it('kael run fails exactly the planted packages, each with its problem code, and says so at start', () => {
    assert.deepEqual(runVerdict(), expected(true));
    const { stdout } = run.output();
    for (const [name, p] of Object.entries(PLANTED))
      assert.match(
        stdout,
        new RegExp(`${p.code === undefined ? 'ok    ' : 'FAILED'}  \\S+ +\\S+ \\S+ +\\./${name}\\n`),
        name,
      );
    assert.match(stdout, /kael: 4 package\(s\) loaded, 17 failed/);
  });

  it('kael validate --load reaches the same verdict on every frame.yaml path line', async () => {
    assert.deepEqual(await validateVerdict(conf, true), runVerdict());
  });

  it('kael validate without --load agrees on everything that shows without running the code', async () => {
    assert.deepEqual(await validateVerdict(conf, false), expected(false));
  });

  it('kael validate and kael run say the same words for the Python packages', async () => {
    const r = await runCli(['validate', conf, '--json']);
    const { problems } = JSON.parse(r.stdout) as { problems: ConfigProblem[] };
    for (const name of PYTHON_READ) {
      const setting = path.join(path.dirname(conf), name, 'setting.yaml');
      const validated = problems.filter((p) => p.file === setting).map((p) => [p.code, p.message]);
      const failed = frame.packages.find((x) => x.dir === path.dirname(setting));
      const run = (failed?.error?.details?.['problems'] as ConfigProblem[] | undefined)?.map((p) => [
        p.code,
        p.message,
      ]);
      assert.deepEqual(run, validated, name);
      assert.equal(validated.length, 1, name);
    }
  });

  it('kael validate exits 1 and reports the package problems in the package files', async () => {
    const r = await runCli(['validate', conf, '--json']);
    assert.equal(r.code, 1);
    const { problems } = JSON.parse(r.stdout) as { problems: ConfigProblem[] };
    const inCron = problems.filter((p) => p.file === path.join(path.dirname(conf), 'cron', 'setting.yaml'));
    assert.deepEqual(
      inCron.map((p) => [p.code, p.pointer]),
      [
        ['schedule-invalid', '/publish/0/0'],
        ['command-file-missing', '/publish/0/1'],
      ],
    );
  });
});

describe('kael run exit codes', () => {
  it('refuses a frame.yaml with errors, which kael validate reports all in one pass', async () => {
    const conf = await makeFrameDir(
      { a: PLANTED['good']?.files ?? {} },
      { extraPaths: ['./a', './nowhere'] },
    );
    const v = await runCli(['validate', conf, '--json']);
    const { problems } = JSON.parse(v.stdout) as { problems: ConfigProblem[] };
    assert.deepEqual(
      problems.map((p) => [p.code, p.pointer]),
      [
        ['schema', '/path/1'],
        ['path-missing', '/path/2'],
      ],
    );
    const ns = randomNamespace();
    const r = await runCli(['run', conf, '--name', ns]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /\[CONFIG_INVALID\] .*frame\.yaml:4:5: path\[1\]: "\.\/a" is listed twice \(also item 0\) \[schema\]/,
    );
  });

  it('exits 1 when no package could be loaded', async () => {
    const ns = randomNamespace();
    const conf = await makeFrameDir({ noentry: PLANTED['noentry']?.files ?? {} });
    const run = startRun(conf, ns);
    assert.match(await run.started, /FAILED {2}service noentry 1.0 +\.\/noentry\n.*\[entry-missing\]/);
    assert.equal(await run.exited, 1);
    assert.match(run.output().stderr, /no package could be loaded; stopping/);
    await deleteNamespace(ns);
  });

  it('keeps serving the good packages by default, and with --strict refuses to start when one failed', async () => {
    const conf = await makeFrameDir({
      good: PLANTED['good']?.files ?? {},
      noentry: PLANTED['noentry']?.files ?? {},
    });
    const ns = randomNamespace();
    const lenient = startRun(conf, ns);
    assert.match(await lenient.started, /1 package\(s\) loaded, 1 failed/);
    assert.equal(await lenient.stop(), 0);
    const strict = startRun(conf, ns, ['--strict']);
    await strict.started;
    assert.equal(await strict.exited, 1);
    assert.match(strict.output().stderr, /--strict: 1 package\(s\) failed; stopping/);
    await deleteNamespace(ns);
  });
});
