import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import path from 'node:path';
import { KaelError } from '../errors.js';

/** The kael CLI entry of this build. */
const KAEL_CLI = path.resolve(__dirname, '../cli/main.js');

/** How long a frame may take to start on a loaded machine. */
const START_TIMEOUT_MS = 90_000;

/** How to start one frame process. */
export interface FrameLaunch {
  /** The frame.yaml of the frame's own folder. */
  conf: string;
  namespace: string;
  auri: string;
  /** Everything the frame writes (both streams, across restarts) is appended here. */
  logFile: string;
  /** Extra environment (the admin key, KAEL_PYTHON). */
  env: Record<string, string>;
}

/**
 * One frame of a chaos run: a `kael run` process standing for a machine, started again in the same
 * folder after it is killed. An exit the run did not cause is reported through `onUnexpectedExit`.
 */
export class ChaosFrame {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  /** True while an exit of the current process is the run's doing (kill -9, shutdown). */
  private exitExpected = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    /** 1-based, for the report. */
    readonly index: number,
    private readonly launch: FrameLaunch,
    private readonly onUnexpectedExit: (frame: ChaosFrame, how: string) => void,
  ) {}

  /** The pid of the running process, if one runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /**
   * Starts the process and resolves once it reports that the frame started.
   * @throws KaelError `COMMAND_FAILED` when it exits first or does not start within 90 s.
   */
  async start(): Promise<void> {
    if (this.log === undefined) {
      this.log = createWriteStream(this.launch.logFile, { flags: 'a' });
      this.log.on('error', (e: Error) =>
        process.stderr.write(`chaos: cannot write ${this.launch.logFile}: ${e.message}\n`),
      );
    }
    const child = spawn(
      process.execPath,
      [KAEL_CLI, 'run', this.launch.conf, '--name', this.launch.namespace],
      {
        env: { ...process.env, KAEL_AURI: this.launch.auri, KAEL_LOG_LEVEL: 'info', ...this.launch.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: Ctrl-C in the terminal reaches the run, which stops the frames
        // itself (a frame draining on the terminal's SIGINT would look like one that exited by itself).
        detached: true,
      },
    );
    this.child = child;
    this.exitExpected = false;
    const log = this.log;
    child.stdout?.pipe(log, { end: false });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        resolve();
        if (!this.exitExpected && this.child === child) this.onUnexpectedExit(this, String(code ?? signal));
      }),
    );
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => {
        this.kill('SIGKILL');
        reject(
          new KaelError(
            'COMMAND_FAILED',
            `frame ${this.index} did not start within ${START_TIMEOUT_MS / 1000} s`,
          ),
        );
      }, START_TIMEOUT_MS);
      child.once('error', (e: Error) => {
        clearTimeout(timer);
        reject(new KaelError('COMMAND_FAILED', `frame ${this.index} could not be started: ${e.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new KaelError(
            'COMMAND_FAILED',
            `frame ${this.index} exited (${String(code ?? signal)}) before it started`,
          ),
        );
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        log.write(chunk);
        if (seen !== 'ready') {
          seen = (seen + chunk.toString()).slice(-200);
          if (seen.includes('frame started')) {
            seen = 'ready';
            clearTimeout(timer);
            resolve();
          }
        }
      });
    });
  }

  /** Sends a signal; SIGKILL and SIGTERM mark the coming exit as the run's doing. */
  kill(signal: NodeJS.Signals): void {
    if (signal === 'SIGKILL' || signal === 'SIGTERM') this.exitExpected = true;
    if (this.pid !== undefined) this.child?.kill(signal);
  }

  /** Resolves when the current process has exited. */
  async waitExit(): Promise<void> {
    await this.exited;
  }

  /** Stops the process: SIGCONT (it may be frozen), SIGTERM, and SIGKILL when it is not gone after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.kill('SIGCONT');
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Closes the log file (after the last process exited). */
  async closeLog(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    if (log !== undefined) await new Promise<void>((resolve) => log.end(resolve));
  }
}
