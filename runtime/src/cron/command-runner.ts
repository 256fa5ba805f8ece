import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { packageEnv } from '../security/package-env.js';
import { redactText } from '../util/redact.js';
import { planCommand } from './command-line.js';

/** Bytes of output kept per run. */
const OUTPUT_LIMIT = 64 * 1024;

/** What running a command produced. */
export interface CommandOutcome {
  startedAt: Date;
  endedAt: Date;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** The last 64 KB of stdout and stderr, interleaved as written, with URL passwords hidden. */
  output: string;
}

/**
 * Runs a crontab command in the package folder, in its own process group so a timeout kills the
 * command and everything it started.
 */
export function runCommand(
  command: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<CommandOutcome> {
  const plan = planCommand(command, cwd, (p) => existsSync(p) && statSync(p).isFile());
  const startedAt = new Date();
  return new Promise((resolve) => {
    const child = spawn(plan.file, plan.args, {
      cwd,
      // Package code: no admin key, no broker URL, no URL with a password.
      env: { ...packageEnv(), ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = Buffer.alloc(0);
    const keep = (chunk: Buffer): void => {
      output = Buffer.concat([output, chunk]);
      if (output.length > OUTPUT_LIMIT) output = output.subarray(output.length - OUTPUT_LIMIT);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch (e) {
        // ESRCH: the group is already gone. Anything else (EPERM) ends up in the run's output, so the
        // crontab's status says why the command outlived its timeout.
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH')
          keep(Buffer.from(`cannot ${signal} the command: ${(e as Error).message}\n`));
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 2000).unref();
    }, timeoutMs);
    let finished = false;
    const finish = (exitCode: number | null, signal: string | null, extra = ''): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve({
        startedAt,
        endedAt: new Date(),
        exitCode,
        signal,
        timedOut,
        // Output is shown to every reader of the namespace (`kael crontabs`): hide URL passwords.
        output: redactText(output.toString('utf8') + extra),
      });
    };
    child.once('error', (e) => finish(null, null, `cannot start ${plan.file}: ${e.message}\n`));
    child.once('exit', (code, signal) => {
      // A background child may keep the pipes open: give the output a moment to drain, not forever.
      const done = (): void => finish(code, signal);
      const grace = setTimeout(done, 200);
      child.once('close', () => {
        clearTimeout(grace);
        done();
      });
    });
  });
}
