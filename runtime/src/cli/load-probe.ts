import { fork } from 'node:child_process';
import type { ErrorData } from '../errors.js';
import { errorToData } from '../errors.js';
import type { ServiceSetting } from '../model/package-setting.js';
import type { CodeLoader } from '../packages/package-check.js';
import { loadServiceModule } from '../packages/service-module.js';

/** How long one package may take to load before the probe counts it as failed. @default 30000 */
const LOAD_PROBE_TIMEOUT_MS = 30_000;

interface ProbeRequest {
  dir: string;
  setting: ServiceSetting;
}

/**
 * A {@link CodeLoader} that imports each service package in its own child process, as a service
 * worker does, so a package that throws, exits or hangs while loading cannot affect the others or
 * the caller. Results are kept per folder: a package checked twice loads once.
 */
export function processCodeLoader(timeoutMs = LOAD_PROBE_TIMEOUT_MS): CodeLoader {
  const done = new Map<string, Promise<ErrorData | undefined>>();
  return async (dir, setting) => {
    let result = done.get(dir);
    if (result === undefined) {
      result = probe({ dir, setting }, timeoutMs);
      done.set(dir, result);
    }
    return result;
  };
}

async function probe(request: ProbeRequest, timeoutMs: number): Promise<ErrorData | undefined> {
  const child = fork(__filename, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const failed = (message: string): ErrorData => ({
    code: 'PACKAGE_INVALID',
    name: 'ConfigError',
    message,
    details: { code: 'entry-missing' },
  });
  return new Promise((resolve) => {
    let answer: ErrorData | undefined | null = null;
    const timer = setTimeout(() => {
      answer ??= failed(`loading took longer than ${timeoutMs} ms`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (m: { error?: ErrorData }) => {
      answer = m.error;
      child.disconnect();
    });
    child.on('error', (e) => {
      answer ??= failed(`cannot start a load probe: ${e.message}`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(answer === null ? failed(`the package exited while loading (${code ?? signal})`) : answer);
    });
    child.send(request);
  });
}

// As a child: load the one package asked for, answer, and leave (its code may hold the event loop).
if (require.main === module) {
  process.once('message', (request: ProbeRequest) => {
    loadServiceModule(request.dir, request.setting).then(
      () => process.send?.({}, () => process.exit(0)),
      (e: unknown) => {
        const error = errorToData(e);
        delete error.stack;
        process.send?.({ error }, () => process.exit(0));
      },
    );
  });
}
