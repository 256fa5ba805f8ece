import { spawn } from 'node:child_process';
import path from 'node:path';
import { startFrameProcess as startProcess } from '@kael/runtime/bench/frame-process';
import type { FrameProcess } from '@kael/runtime/bench/frame-process';
import { connectClient, createLogger, WorkFrame } from '@kael/runtime';
import type { ClientOptions, ServiceProxy, WorkFrameOptions } from '@kael/runtime';
import { makeFrameDir } from '@kael/runtime/bench/frame-process';
import { generateAdminKey } from '@kael/runtime/security/admin-key';
import { AURI, deleteNamespace, randomNamespace } from './broker.js';

export { makeFrameDir } from '@kael/runtime/bench/frame-process';
export type { FrameProcess, PackageFiles } from '@kael/runtime/bench/frame-process';

/**
 * The admin key of this test run. Frames and clients made by these helpers use it unless a test
 * says otherwise: frames refuse changing commands without a key, as in production.
 */
export const TEST_ADMIN_KEY = generateAdminKey();

/** Starts a frame process on the test broker, with {@link TEST_ADMIN_KEY} unless `env` sets KAEL_ADMIN_KEY. */
export function startFrameProcess(
  conf: string,
  namespace: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): FrameProcess {
  return startProcess(conf, namespace, AURI, extraArgs, { KAEL_ADMIN_KEY: TEST_ADMIN_KEY, ...env });
}

/** A client of `namespace` on the test broker, signing with {@link TEST_ADMIN_KEY} unless `options` say otherwise. */
export async function testClient<S extends object = Record<never, never>>(
  namespace: string,
  options: Omit<ClientOptions, 'name'> = {},
): Promise<ServiceProxy<S>> {
  return connectClient<S>({ auri: AURI, adminKey: TEST_ADMIN_KEY, ...options, name: namespace });
}

/** The repository root (tests run from test/dist/...). */
export const ROOT = path.resolve(__dirname, '../../..');
/** The kael CLI entry. */
export const KAEL_CLI = path.join(ROOT, 'runtime/dist/cli/main.js');

/** A service package used across the runtime tests. */
export const TOOLS_SERVICE: Record<string, string> = {
  'setting.yaml':
    'type: service\nservice_base_name: tools\nversion: 1.0\npublish: [add, pid, slow, fail, failAsync, kw, fn, echo]\nargs:\n  add: { type: array, prefixItems: [{ type: number }, { type: number }] }\n',
  'index.js': [
    "'use strict';",
    'exports.add = (a, b) => a + b;',
    'exports.pid = () => process.pid;',
    'exports.slow = (ms) => new Promise((r) => setTimeout(() => r(process.pid), ms));',
    "exports.fail = () => { throw new TypeError('bad input'); };",
    "exports.failAsync = async () => { throw new RangeError('async bad'); };",
    'exports.kw = (a, kw) => ({ a, kw });',
    'exports.fn = () => () => 1;',
    'exports.echo = (x) => x;',
  ].join('\n'),
};

/** Runs the kael CLI to completion (with {@link TEST_ADMIN_KEY} unless `env` sets KAEL_ADMIN_KEY). */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [KAEL_CLI, ...args], {
    env: { ...process.env, KAEL_AURI: AURI, KAEL_ADMIN_KEY: TEST_ADMIN_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  return { code, stdout, stderr };
}

/** A small service package `<name>` at `version` whose `ver()` answers the version baked into its code. */
export function versionedService(name: string, version: string): Record<string, string> {
  return {
    'setting.yaml': `# ${name} service\ntype: service\nservice_base_name: ${name}\nversion: ${version}\npublish: [ver, add]\n`,
    'index.js': `exports.ver = () => ${JSON.stringify(version)};\nexports.add = (a, b) => a + b;\n`,
  };
}

/** An in-process frame on fresh package folders in a fresh namespace, for one describe block. */
export interface TestFrame {
  namespace: string;
  frame: WorkFrame;
  /** Stops the frame and deletes the namespace. */
  close(): Promise<void>;
}

/** Starts a frame (in this process, its workers forked) with `packages` in a random namespace, keyed with {@link TEST_ADMIN_KEY} unless `options` say otherwise. */
export async function startTestFrame(
  packages: Record<string, Record<string, string>>,
  options: Partial<WorkFrameOptions> = {},
): Promise<TestFrame> {
  const namespace = randomNamespace();
  const frame = new WorkFrame({
    name: namespace,
    auri: AURI,
    serviceGroupConf: await makeFrameDir(packages),
    logger: createLogger('test', 'silent'),
    adminKey: TEST_ADMIN_KEY,
    ...options,
  });
  await frame.start();
  return {
    // options.name may have put the frame in a namespace of another test frame.
    namespace: frame.namespace,
    frame,
    async close() {
      await frame.stop();
      await deleteNamespace(frame.namespace);
    },
  };
}

/** A test frame and a client of its namespace. */
export interface FrameAndClient<S extends object> extends TestFrame {
  client: ServiceProxy<S>;
}

/** Starts a frame with `packages` and connects a client to its namespace. */
export async function frameWithClient<S extends object>(
  packages: Record<string, Record<string, string>>,
  options: Partial<WorkFrameOptions> = {},
): Promise<FrameAndClient<S>> {
  const started = await startTestFrame(packages, options);
  const client = await testClient<S>(started.namespace, { adminKey: options.adminKey ?? TEST_ADMIN_KEY });
  return {
    ...started,
    client,
    async close() {
      await client.close();
      await started.close();
    },
  };
}
