import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AURI } from '../support/broker.js';
import { KAEL_CLI, ROOT } from '../support/frames.js';

/** The Python client package folder (python/ at the repository root). */
export const PYTHON_CLIENT_DIR = path.join(ROOT, 'python');

/** The admin key of the test frames and clients: changing commands need one. */
export const ADMIN_KEY = 'kael-python-tests-admin-key';

let chosen: string | undefined;

/**
 * The interpreter that runs the Python client in tests: `KAEL_PYTHON`, else Debian's
 * `/usr/bin/python3` (on this machine a pyenv `python3` without pika comes first on PATH), else
 * `python3`. It must have pika: the tests fail with a message naming the interpreter otherwise.
 * (Python service packages in the frames run on the frame's own choice: KAEL_PYTHON or python3.)
 */
export function clientPython(): string {
  if (chosen !== undefined) return chosen;
  const env = process.env['KAEL_PYTHON']?.trim();
  const candidate =
    env !== undefined && env !== '' ? env : existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  try {
    execFileSync(candidate, ['-c', 'import pika'], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(
      `the Python client tests need an interpreter with pika; ${candidate} has none. Install python3-pika or set KAEL_PYTHON`,
      { cause: e },
    );
  }
  chosen = candidate;
  return candidate;
}

/** What a Python script printed and how it ended. */
export interface PythonRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a Python script with the client package importable (`PYTHONPATH=python/`), against the test
 * broker, with the test admin key.
 */
export async function runPython(
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<PythonRun> {
  const child = spawn(clientPython(), ['-c', script, ...args], {
    env: {
      ...process.env,
      PYTHONPATH: PYTHON_CLIENT_DIR,
      KAEL_AURI: AURI,
      KAEL_ADMIN_KEY: ADMIN_KEY,
      PYTHONUNBUFFERED: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Runs a Python script that prints one JSON value as its last line, and returns that value. */
export async function pythonJson<T>(
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<T> {
  const r = await runPython(script, args, env);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0) throw new Error(`python exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`python printed no JSON:\n${r.stdout}\n${r.stderr}`);
  }
}

/** A `kael run` process whose log the test can read. */
export interface KaelRun {
  child: ChildProcess;
  /** Resolves when the frame logged that it started. */
  ready: Promise<void>;
  /** What the frame wrote to stderr so far. */
  log(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | string>;
}

/** Starts `kael run <conf> --name <namespace>` on the test broker with the test admin key. */
export function startKaelRun(conf: string, namespace: string, env: Record<string, string> = {}): KaelRun {
  const child = spawn(process.execPath, [KAEL_CLI, 'run', conf, '--name', namespace], {
    env: { ...process.env, KAEL_AURI: AURI, KAEL_ADMIN_KEY: ADMIN_KEY, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 0)),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('frame started')) resolve();
    });
    void exited.then((code) => reject(new Error(`kael run exited (${code}) before it started:\n${log}`)));
  });
  ready.catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
  return {
    child,
    ready,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Copies the seed's literal packages (test/fixtures/seed) to a temporary folder; `/data/time_service`
 * in its frame.yaml is pointed at a copy in a second temporary folder (the seed's absolute path).
 * @returns the frame.yaml path and the absolute folder of time_service.
 */
export async function copySeed(): Promise<{ conf: string; timeService: string }> {
  const src = path.join(ROOT, 'test', 'fixtures', 'seed');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-seed-'));
  const abs = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-seed-abs-'));
  await fs.cp(src, dir, { recursive: true });
  const timeService = path.join(abs, 'time_service');
  await fs.rename(path.join(dir, 'time_service'), timeService);
  const conf = path.join(dir, 'frame_pkg_setting.yaml');
  const text = await fs.readFile(conf, 'utf8');
  await fs.writeFile(conf, text.replace('/data/time_service', timeService));
  return { conf, timeService };
}
