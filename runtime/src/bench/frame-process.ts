import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bestEffort } from '../util/best-effort.js';
import { createLogger } from '../util/logger.js';

const benchLog = createLogger('bench');

/** The kael CLI entry of this build. */
export const KAEL_CLI = path.resolve(__dirname, '../cli/main.js');

/** Files of one package folder: name → content. */
export type PackageFiles = Record<string, string | Buffer>;

/**
 * Writes a frame folder standing for one machine: each package in its own sub-folder and a
 * frame.yaml listing them. Used by the benchmarks and the tests.
 * @returns the frame.yaml path.
 */
export async function makeFrameDir(
  packages: Record<string, PackageFiles>,
  options: { group?: string; extraPaths?: string[] } = {},
): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-frame-'));
  for (const [name, files] of Object.entries(packages)) {
    for (const [file, content] of Object.entries(files)) {
      const target = path.join(dir, name, file);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, content);
    }
  }
  const paths = [...Object.keys(packages).map((n) => `./${n}`), ...(options.extraPaths ?? [])];
  const list = paths.length === 0 ? ' []' : '\n' + paths.map((p) => `  - ${p}`).join('\n');
  const conf = path.join(dir, 'frame.yaml');
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

/** Starts `kael run <conf> --name <ns>` and resolves `ready` when the frame reports that it started. */
export function startFrameProcess(
  conf: string,
  namespace: string,
  auri: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): FrameProcess {
  const child = spawn(process.execPath, [KAEL_CLI, 'run', conf, '--name', namespace, ...extraArgs], {
    env: { ...process.env, KAEL_AURI: auri, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 0)),
  );
  let log = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      if (log.length < 100_000) log += chunk.toString();
      if (log.includes('frame started')) resolve();
    });
    void exited.then((code) => reject(new Error(`frame exited (${code}) before it started:\n${log}`)));
  });
  // Awaited by the caller; marked handled here so a frame that dies before anyone waits is no crash.
  void bestEffort(ready, benchLog, 'start the benchmark frame');
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
