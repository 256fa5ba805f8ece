import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AURI } from './broker.js';

/** The repository root (tests run from test/dist/...). */
export const ROOT = path.resolve(__dirname, '../../..');
/** The kael CLI entry. */
export const KAEL_CLI = path.join(ROOT, 'runtime/dist/cli/main.js');

/** Files of one package folder: name → content. */
export type PackageFiles = Record<string, string>;

/** A service package used across the runtime tests. */
export const TOOLS_SERVICE: PackageFiles = {
  'setting.yaml': 'type: service\nservice_base_name: tools\nversion: 1.0\npublish: [add, pid, slow, fail, failAsync, kw, fn, echo]\nargs:\n  add: { type: array, prefixItems: [{ type: number }, { type: number }] }\n',
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

/**
 * Writes a frame folder: each package in its own sub-folder and a frame.yaml listing them (in order).
 * @returns the frame.yaml path.
 */
export async function makeFrameDir(packages: Record<string, PackageFiles>, options: { group?: string; extraPaths?: string[] } = {}): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-test-'));
  for (const [name, files] of Object.entries(packages)) {
    for (const [file, content] of Object.entries(files)) {
      const target = path.join(dir, name, file);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, content);
    }
  }
  const paths = [...Object.keys(packages).map((n) => `./${n}`), ...(options.extraPaths ?? [])];
  const conf = path.join(dir, 'frame.yaml');
  const list = paths.length === 0 ? ' []' : '\n' + paths.map((p) => `  - ${p}`).join('\n');
  await fs.writeFile(conf, `service_group: ${options.group ?? 'test_group'}\npath:${list}\n`);
  return conf;
}

/** A frame running as its own process (`kael run`), standing for a machine. */
export interface FrameProcess {
  child: ChildProcess;
  /** Resolves once the frame has started. */
  ready: Promise<void>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | string>;
}

/** Starts `kael run <conf> --name <ns>` and waits for it to report that it started. */
export function startFrameProcess(conf: string, namespace: string, extraArgs: string[] = [], env: Record<string, string> = {}): FrameProcess {
  const child = spawn(process.execPath, [KAEL_CLI, 'run', conf, '--name', namespace, ...extraArgs], {
    env: { ...process.env, KAEL_AURI: AURI, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 0)));
  let log = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('frame started')) resolve();
    });
    void exited.then((code) => reject(new Error(`frame exited (${code}) before it started:\n${log}`)));
  });
  ready.catch(() => undefined);
  child.stdout?.resume();
  return {
    child,
    ready,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs the kael CLI to completion. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [KAEL_CLI, ...args], { env: { ...process.env, KAEL_AURI: AURI, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  return { code, stdout, stderr };
}

/** A small service package `<name>` at `version` whose `ver()` answers the version baked into its code. */
export function versionedService(name: string, version: string): PackageFiles {
  return {
    'setting.yaml': `# ${name} service\ntype: service\nservice_base_name: ${name}\nversion: ${version}\npublish: [ver, add]\n`,
    'index.js': `exports.ver = () => ${JSON.stringify(version)};\nexports.add = (a, b) => a + b;\n`,
  };
}
