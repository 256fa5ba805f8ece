import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectClient, createLogger, readFrameConfig, WorkFrame } from '@kael/runtime';
import type { ConfigProblem, ErrorData } from '@kael/runtime';
import { loadCatalog } from '@kael/runtime/packages/package-catalog';
import { loadServiceModule } from '@kael/runtime/packages/service-module';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import { makeFrameDir, TOOLS_SERVICE } from '../../support/frames.js';

const quiet = createLogger('test', 'silent');

async function catalogOf(packages: Parameters<typeof makeFrameDir>[0], extraPaths: string[] = []) {
  const conf = await makeFrameDir(packages, { extraPaths });
  return { conf, records: await loadCatalog(await readFrameConfig(conf)) };
}

function problemsOf(error: ErrorData | undefined): ConfigProblem[] {
  return (error?.details?.['problems'] as ConfigProblem[] | undefined) ?? [];
}

describe('loading packages from frame.yaml', () => {
  it('reports a missing setting.yaml on its frame.yaml path line', async () => {
    const { conf, records } = await catalogOf({ empty: { 'index.js': '' } });
    const [p] = problemsOf(records[0]?.error);
    assert.deepEqual(
      [p?.code, p?.file, p?.pointer, p?.message, p?.range?.start.line],
      [
        'setting-missing',
        conf,
        '/path/0',
        'path[0]: ./empty has no setting.yaml (every package folder needs one)',
        2,
      ],
    );
  });

  it('reports YAML syntax errors with line and column', async () => {
    const { records } = await catalogOf({
      bad: { 'setting.yaml': 'type: service\npublish: [add\nversion: 1\n' },
    });
    const [p] = problemsOf(records[0]?.error);
    assert.equal(p?.code, 'yaml-syntax');
    assert.ok(p?.range !== undefined && p.range.start.line >= 1);
    assert.equal(records[0]?.error?.code, 'PACKAGE_INVALID');
  });

  it('rejects an unknown type at /type', async () => {
    const { records } = await catalogOf({ odd: { 'setting.yaml': 'type: daemon\nversion: 1\n' } });
    const [p] = problemsOf(records[0]?.error);
    assert.deepEqual([p?.code, p?.pointer], ['type-unknown', '/type']);
  });

  it('names each missing field', async () => {
    const { records } = await catalogOf({ partial: { 'setting.yaml': 'type: service\nversion: 1.0\n' } });
    const missing = problemsOf(records[0]?.error).map((p) => p.message);
    assert.ok(missing.some((m) => m.includes('"service_base_name"')));
    assert.ok(missing.some((m) => m.includes('"publish"')));
  });

  it('reports a path that does not exist with its frame.yaml pointer', async () => {
    const { conf, records } = await catalogOf({}, ['./nowhere']);
    const [p] = problemsOf(records[0]?.error);
    assert.deepEqual([p?.code, p?.file, p?.pointer], ['path-missing', conf, '/path/0']);
  });

  it('fails the second package that reuses a service_base_name', async () => {
    const { records } = await catalogOf({ one: TOOLS_SERVICE, two: TOOLS_SERVICE });
    assert.equal(records[0]?.error, undefined);
    assert.equal(problemsOf(records[1]?.error)[0]?.code, 'duplicate-name');
  });

  it('keeps a version written 1.10 as 1.10', async () => {
    const { records } = await catalogOf({
      v: {
        ...TOOLS_SERVICE,
        'setting.yaml': TOOLS_SERVICE['setting.yaml']!.replace('version: 1.0', 'version: 1.10'),
      },
    });
    assert.equal(records[0]?.setting?.version, '1.10');
  });

  it('rejects a published name the entry module does not export, pointing at publish[i]', async () => {
    const conf = await makeFrameDir({
      calc: {
        'setting.yaml': 'type: service\nservice_base_name: calc\nversion: 1\npublish: [add, minus]\n',
        'index.js': 'exports.add = (a, b) => a + b;',
      },
    });
    const dir = path.join(path.dirname(conf), 'calc');
    await assert.rejects(
      loadServiceModule(dir, {
        type: 'service',
        name: 'calc',
        version: '1',
        publish: ['add', 'minus'],
        args: {},
      }),
      (e: { code: string; details: Record<string, unknown>; message: string }) => {
        assert.equal(e.code, 'PACKAGE_INVALID');
        assert.equal(e.details['pointer'], '/publish/1');
        assert.equal(e.details['code'], 'export-missing');
        assert.equal(e.details['file'], path.join(dir, 'setting.yaml'));
        return true;
      },
    );
  });

  it('rejects a published name exported as a non-function', async () => {
    const conf = await makeFrameDir({ calc: { 'setting.yaml': '', 'index.js': 'exports.add = 42;' } });
    const dir = path.join(path.dirname(conf), 'calc');
    await assert.rejects(
      loadServiceModule(dir, { type: 'service', name: 'calc', version: '1', publish: ['add'], args: {} }),
      { code: 'PACKAGE_INVALID' },
    );
  });
});

describe('a frame with good and bad packages', () => {
  const ns = randomNamespace();
  let frame: WorkFrame;

  before(async () => {
    const conf = await makeFrameDir({
      good: TOOLS_SERVICE,
      ts: {
        'setting.yaml': 'type: service\nservice_base_name: tsx\nversion: 2\npublish: [twice]\n',
        'index.ts':
          'import { factor } from "./factor";\nexport function twice(x: number): number { return x * factor; }\n',
        'factor.ts': 'export const factor: number = 2;\n',
      },
      esm: {
        'setting.yaml': 'type: service\nservice_base_name: esm\nversion: 1\npublish: [hello]\n',
        'index.mjs': 'export function hello(n) { return `hello ${n}`; }\n',
      },
      broken: {
        'setting.yaml': 'type: service\nservice_base_name: broken\nversion: 1\npublish: [missing]\n',
        'index.js': 'exports.other = () => 1;',
      },
      noyaml: { 'index.js': '' },
    });
    frame = new WorkFrame({ name: ns, auri: AURI, serviceGroupConf: conf, logger: quiet });
    await frame.start();
  });

  after(async () => {
    await frame.stop();
    await deleteNamespace(ns);
  });

  it('serves the good packages, including TypeScript and ESM entry modules', async () => {
    const client = await connectClient<{
      tools__add(a: number, b: number): Promise<number>;
      tsx__twice(x: number): Promise<number>;
      esm__hello(n: string): Promise<string>;
    }>({ name: ns, auri: AURI });
    try {
      assert.equal(await client.tools__add(1, 2), 3);
      assert.equal(await client.tsx__twice(21), 42);
      assert.equal(await client.esm__hello('kael'), 'hello kael');
    } finally {
      await client.close();
    }
  });

  it('reports the bad packages in its snapshot without stopping the others', () => {
    const byName = new Map(frame.snapshot().packages.map((p) => [p.name, p]));
    assert.equal(byName.get('broken')?.error?.code, 'PACKAGE_INVALID');
    assert.equal(byName.get('broken')?.error?.details?.['pointer'], '/publish/0');
    assert.equal(byName.get('broken')?.error?.details?.['code'], 'export-missing');
    assert.deepEqual(
      [byName.get('broken')?.state, byName.get('broken')?.version, byName.get('broken')?.reason],
      [
        'failed',
        '1',
        'setting.yaml:4:11: publish[0]: "missing" is not exported by index.js [export-missing]',
      ],
    );
    assert.equal(byName.get('noyaml')?.error?.code, 'PACKAGE_INVALID');
    assert.equal(byName.get('noyaml')?.state, 'failed');
    assert.deepEqual([byName.get('tools')?.error, byName.get('tools')?.state], [undefined, 'ok']);
  });

  it('takes the namespace from service_group when no name is given', async () => {
    const conf = await makeFrameDir({}, { group: 'group_from_yaml' });
    const f = new WorkFrame({ auri: AURI, serviceGroupConf: conf, logger: quiet, name: '' });
    const saved = process.env['KAEL_NAME'];
    delete process.env['KAEL_NAME'];
    try {
      await f.start();
      assert.equal(f.namespace, 'group_from_yaml');
    } finally {
      if (saved !== undefined) process.env['KAEL_NAME'] = saved;
      await f.stop();
    }
  });
});
