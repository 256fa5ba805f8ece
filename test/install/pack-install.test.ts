import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { ServiceProxy } from '@kael/runtime';
import { AURI, deleteNamespace, randomNamespace } from '../support/broker.js';
import { makeFrameDir, ROOT, TEST_ADMIN_KEY, testClient, TOOLS_SERVICE } from '../support/frames.js';
import { installKael } from './installed-kael.js';
import type { InstalledKael } from './installed-kael.js';
import { StdioLspClient } from './stdio-lsp-client.js';

const run = promisify(execFile);

/** Runs an installed command with the installed environment only; resolves with its exit code and output. */
async function runInstalled(
  kael: InstalledKael,
  command: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { env: kael.env });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/**
 * The three packages packed with `npm pack` and installed with `npm install -g` into a temporary
 * prefix; every command runs with only Node and that prefix on PATH.
 */
describe('kael installed from its packed tarballs', () => {
  let kael: InstalledKael;

  before(async () => {
    kael = await installKael();
  });

  after(async () => {
    await kael?.remove();
  });

  it('puts kael and kael-language-server on the PATH of the prefix', async () => {
    const version = (
      JSON.parse(await fs.readFile(path.join(ROOT, 'runtime/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    const out = await runInstalled(kael, 'kael', ['--version']);
    assert.deepEqual({ code: out.code, stdout: out.stdout }, { code: 0, stdout: `${version}\n` });
    await fs.access(kael.bin('kael-language-server'));
  });

  it('validates the examples with the schemas and the Python outline helper it carries', async () => {
    const out = await runInstalled(kael, 'kael', ['validate', path.join(ROOT, 'examples/frame.yaml')]);
    assert.deepEqual(
      { code: out.code, stdout: out.stdout },
      { code: 0, stdout: '0 error(s), 0 warning(s)\n' },
    );
    const runtime = path.join(kael.prefix, 'lib/node_modules/@kael/runtime');
    await fs.access(path.join(runtime, 'python/kael_worker.py'));
    await fs.access(path.join(runtime, 'systemd/kael.service'));
  });

  it('reports a broken setting.yaml with its code and exit 1', async () => {
    const conf = await makeFrameDir({
      calc: {
        'setting.yaml': 'type: service\nservice_base_name: calc\nversion: one\npublish: [add]\n',
        'index.js': 'exports.add = (a, b) => a + b;\n',
      },
    });
    const out = await runInstalled(kael, 'kael', ['validate', conf, '--json']);
    await fs.rm(path.dirname(conf), { recursive: true, force: true });
    assert.equal(out.code, 1);
    assert.match(out.stdout, /"code": "version-invalid"/);
  });

  it('exposes the listed entry points and nothing else', async () => {
    const probe = [
      "const { createRequire } = require('node:module');",
      `const req = createRequire(${JSON.stringify(path.join(kael.prefix, 'lib', 'probe.js'))});`,
      'const out = {};',
      "for (const id of ['@kael/runtime', '@kael/runtime/model/frame-snapshot', '@kael/server', '@kael/server/protocol', '@kael/schemas', '@kael/runtime/cron/lease-view', '@kael/runtime/bench/frame-process', '@kael/server/lsp/server']) {",
      '  try { req.resolve(id); out[id] = true; } catch (e) { out[id] = e.code; }',
      '}',
      'process.stdout.write(JSON.stringify(out));',
    ].join('\n');
    const out = await runInstalled(kael, process.execPath, ['-e', probe]);
    assert.deepEqual(JSON.parse(out.stdout), {
      '@kael/runtime': true,
      '@kael/runtime/model/frame-snapshot': true,
      '@kael/server': true,
      '@kael/server/protocol': true,
      '@kael/schemas': true,
      '@kael/runtime/cron/lease-view': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      '@kael/runtime/bench/frame-process': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      '@kael/server/lsp/server': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  });

  it('answers one LSP round trip over stdio with a diagnostic', async () => {
    const dir = path.dirname(await makeFrameDir({}));
    const file = path.join(dir, 'calc', 'setting.yaml');
    await fs.mkdir(path.dirname(file));
    const text = 'type: service\nservice_base_name: calc\nversion: one\npublish: [add]\n';
    await fs.writeFile(file, text);
    await fs.writeFile(path.join(dir, 'calc', 'index.js'), 'exports.add = (a, b) => a + b;\n');
    const lsp = new StdioLspClient(kael.bin('kael-language-server'), ['--stdio'], kael.env);
    try {
      const init = await lsp.initialize(dir);
      assert.equal(typeof init.capabilities['textDocumentSync'], 'number');
      await lsp.open(file, text);
      const diagnostics = await lsp.diagnostics(file);
      assert.deepEqual(
        diagnostics.map((d) => ({ code: d.code, line: d.range.start.line, source: d.source })),
        [{ code: 'version-invalid', line: 2, source: 'kael' }],
      );
      assert.equal(await lsp.stop(), 0);
    } finally {
      lsp.child.kill();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('serves a call from `kael run` of the installed package', async () => {
    const ns = randomNamespace();
    const conf = await makeFrameDir({ tools: TOOLS_SERVICE });
    const started = Date.now();
    const frame = spawn(kael.bin('kael'), ['run', conf, '--name', ns, '--log-format', 'json'], {
      env: { ...kael.env, KAEL_AURI: AURI, KAEL_ADMIN_KEY: TEST_ADMIN_KEY },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let client: ServiceProxy | undefined;
    try {
      let log = '';
      await new Promise<void>((resolve, reject) => {
        frame.stderr.on('data', (c: Buffer) => {
          log += c.toString();
          if (log.includes('"msg":"frame started"')) resolve();
        });
        frame.once('exit', (code) => reject(new Error(`kael run exited (${code}):\n${log}`)));
      });
      client = await testClient(ns);
      assert.equal(await client.call('tools__add', [20, 22], { timeoutMs: 10_000 }), 42);
      const servedMs = Date.now() - started;
      process.stdout.write(
        `# install: runtime ${kael.tarballs.runtime.bytes} B, server ${kael.tarballs.server.bytes} B, schemas ${kael.tarballs.schemas.bytes} B packed; npm install -g ${kael.installMs} ms + kael run to first served call ${servedMs} ms = ${kael.installMs + servedMs} ms\n`,
      );
    } finally {
      await client?.close();
      const exited = new Promise((r) => (frame.exitCode === null ? frame.once('exit', r) : r(undefined)));
      frame.kill('SIGTERM');
      await exited;
      await fs.rm(path.dirname(conf), { recursive: true, force: true });
      await deleteNamespace(ns);
    }
  });
});
