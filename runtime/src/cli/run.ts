import path from 'node:path';
import { KaelError } from '../errors.js';
import { discardPreparedWorker, prepareWorkerProcess } from '../daemon/worker-handle.js';
import type { WorkFrame } from '../frame/work-frame.js';
import type * as WorkFrameModule from '../frame/work-frame.js';
import type { FrameSnapshot } from '../model/frame-snapshot.js';
import type { CliCommand } from './command.js';
import { intFlag, parseCommandLine } from './options.js';
import { packageState } from '../model/frame-snapshot.js';
import { LOG_FORMAT_ENV, logFormat } from '../util/logger.js';
import type { Logger } from '../util/logger.js';

const USAGE =
  'kael run <frame.yaml> [--name NS] [--auri URL] [--processes N] [--concurrency N] [--heartbeat MS]\n  [--label TEXT] [--strict] [--crontab-heartbeat MS] [--crontab-lease MS]\n  [--admin-key-file FILE] [--install-root DIR] [--allow-unsigned-admin] [--log-format text|json]\n  [--max-request-bytes N] [--max-reply-bytes N] [--load-timeout MS] [--max-worker-deaths N] [--debug-errors]\n  [--metrics-port N] [--metrics-host ADDR]';

/**
 * What `kael run` prints once the frame started: one line per package (loaded or FAILED with the
 * reason) and the counts.
 */
export function describeStart(snapshot: FrameSnapshot): string[] {
  const base = path.dirname(snapshot.configFile);
  const lines = [
    `kael: frame ${snapshot.id} serves namespace "${snapshot.namespace}" (${snapshot.configFile})`,
  ];
  for (const p of snapshot.packages) {
    const where = `./${path.relative(base, p.dir).split(path.sep).join('/')}`;
    const head = `  ${packageState(p) === 'failed' ? 'FAILED' : 'ok    '}  ${p.kind.padEnd(7)} ${`${p.name} ${p.version ?? '?'}`.padEnd(24)} ${where}`;
    lines.push(
      packageState(p) === 'failed' ? `${head}\n          ${p.reason ?? p.error?.message ?? ''}` : head,
    );
  }
  const failed = snapshot.packages.filter((p) => packageState(p) === 'failed').length;
  lines.push(`kael: ${snapshot.packages.length - failed} package(s) loaded, ${failed} failed`);
  return lines;
}

/** `--metrics-port`: 0..65535 (0: any free port). @throws KaelError `USAGE` */
function portFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new KaelError('USAGE', `--metrics-port must be a port number (0..65535), got "${value}"`);
  return n;
}

function optionalInt(value: string | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : intFlag(value, flag, 0);
}

/** What {@link describeStart} prints, as one log event per package (for `--log-format json`). */
function logStart(logger: Logger, snapshot: FrameSnapshot): void {
  for (const p of snapshot.packages) {
    const fields = { kind: p.kind, name: p.name, version: p.version ?? null, dir: p.dir };
    if (packageState(p) === 'failed')
      logger.error('package failed', { ...fields, code: p.error?.code ?? null, reason: p.reason ?? null });
    else logger.info('package loaded', fields);
  }
}

/**
 * `kael run`: the standalone daemon. SIGTERM/SIGINT drain in-flight calls and exit 0; SIGHUP re-reads
 * frame.yaml and applies what changed ({@link WorkFrame.reloadConfig}); a frame.yaml that cannot be
 * read keeps the running packages and logs the error with its code.
 *
 * A package that fails to load does not stop the frame by default: on a machine shared by several
 * packages, one broken package must not take the others' services down, and it can be fixed in place
 * (`kael update`, `install`, `restart`). The frame exits 1 when it has packages and none loaded, and
 * with `--strict` when any failed (for deployments that must be all or nothing).
 */
export const command: CliCommand = {
  summary: 'run a frame: serve the packages of a frame.yaml until SIGTERM',
  async run(argv) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        name: { type: 'string', short: 'n' },
        auri: { type: 'string' },
        processes: { type: 'string', short: 'p' },
        concurrency: { type: 'string' },
        heartbeat: { type: 'string' },
        label: { type: 'string' },
        strict: { type: 'boolean', default: false },
        'crontab-heartbeat': { type: 'string' },
        'crontab-lease': { type: 'string' },
        'admin-key-file': { type: 'string' },
        'install-root': { type: 'string' },
        'allow-unsigned-admin': { type: 'boolean', default: false },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string' },
        'max-request-bytes': { type: 'string' },
        'max-reply-bytes': { type: 'string' },
        'load-timeout': { type: 'string' },
        'max-worker-deaths': { type: 'string' },
        'debug-errors': { type: 'boolean', default: false },
        'log-format': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      USAGE,
    );
    const conf = positionals[0];
    if (values.help || conf === undefined) {
      process.stdout.write(
        `usage: ${USAGE}\n\nA package that fails to load is reported and the others are served; the frame exits 1\nwhen none loaded. --strict: exit 1 when any package fails. SIGHUP re-reads frame.yaml and applies\nwhat changed; SIGTERM drains and exits. --log-format json: one JSON object per log line on stderr.\n--metrics-port N (or KAEL_METRICS_PORT): serve /metrics (Prometheus) and /healthz on port N\n(off by default; --metrics-host, default 0.0.0.0, picks the address).\n`,
      );
      return values.help ? 0 : 2;
    }
    const format = values['log-format'];
    if (format !== undefined && format !== 'text' && format !== 'json')
      throw new KaelError('USAGE', `--log-format must be text or json, got "${format}"\nusage: ${USAGE}`);
    // Through the environment, so the service workers the frame starts write the same format.
    if (format !== undefined) process.env[LOG_FORMAT_ENV] = format;
    // Cold start: the service worker process boots while this one loads the frame's modules.
    prepareWorkerProcess();
    let frame: WorkFrame;
    try {
      // Loaded here, after the fork: these modules are most of this process's start.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { WorkFrame: Frame } = require('../frame/work-frame.js') as typeof WorkFrameModule;
      frame = new Frame({
        name: values.name,
        auri: values.auri,
        serviceGroupConf: conf,
        processes: intFlag(values.processes, 'processes', 1),
        concurrency: intFlag(values.concurrency, 'concurrency', 64),
        heartbeatMs: intFlag(values.heartbeat, 'heartbeat', 2000),
        label: values.label,
        crontabHeartbeatMs: intFlag(values['crontab-heartbeat'], 'crontab-heartbeat', 500),
        crontabLeaseMs: intFlag(values['crontab-lease'], 'crontab-lease', 2000),
        adminKeyFile: values['admin-key-file'],
        installRoot: values['install-root'],
        allowUnsignedAdmin: values['allow-unsigned-admin'],
        metricsPort: portFlag(values['metrics-port']),
        metricsHost: values['metrics-host'],
        // Unset flags leave frame.yaml's `limits` and `package_load_timeout_ms` in force.
        limits: {
          maxRequestBytes: optionalInt(values['max-request-bytes'], 'max-request-bytes'),
          maxReplyBytes: optionalInt(values['max-reply-bytes'], 'max-reply-bytes'),
        },
        packageLoadTimeoutMs: optionalInt(values['load-timeout'], 'load-timeout'),
        maxWorkerDeaths: optionalInt(values['max-worker-deaths'], 'max-worker-deaths'),
        debugErrors: values['debug-errors'],
      });
    } catch (e) {
      discardPreparedWorker();
      throw e;
    }
    // The stop signals are handled from before the start: the frame serves its first packages while
    // later ones still load, and whoever sees it serve may send SIGTERM at once. Without a handler
    // that would kill the frame instead of draining it; during the start, it drains once started.
    let signalled: string | undefined;
    let onStopSignal = (signal: string): void => {
      signalled = signal;
    };
    process.once('SIGTERM', () => onStopSignal('SIGTERM'));
    process.once('SIGINT', () => onStopSignal('SIGINT'));
    await frame.start();
    const stopped = new Promise<void>((resolve) => {
      const shutdown = (signal: string): void => {
        frame.logger.info(`received ${signal}; draining`);
        frame.stop().then(resolve, (e: unknown) => {
          frame.logger.error('stop failed', { error: (e as Error).message });
          resolve();
        });
      };
      const reload = (): void => {
        frame.logger.info('received SIGHUP; reloading frame.yaml');
        frame.reloadConfig().then(
          (summary) => frame.logger.info('frame.yaml reloaded', { ...summary }),
          (e: unknown) =>
            frame.logger.error('frame.yaml not reloaded; the frame keeps its packages', {
              code: (e as { code?: string }).code ?? 'COMMAND_FAILED',
              error: (e as Error).message,
            }),
        );
      };
      process.on('SIGHUP', reload);
      onStopSignal = shutdown;
      if (signalled !== undefined) shutdown(signalled);
    });
    const snapshot = frame.snapshot();
    if (logFormat() === 'json') logStart(frame.logger, snapshot);
    else {
      process.stdout.write(describeStart(snapshot).join('\n') + '\n');
      if (frame.metricsPort !== undefined)
        process.stdout.write(`kael: metrics on port ${frame.metricsPort} (/metrics, /healthz)\n`);
    }
    const failed = snapshot.packages.filter((p) => packageState(p) === 'failed').length;
    const refusal =
      failed > 0 && failed === snapshot.packages.length
        ? 'no package could be loaded'
        : values.strict && failed > 0
          ? `--strict: ${failed} package(s) failed`
          : undefined;
    if (refusal !== undefined) {
      if (logFormat() === 'json') frame.logger.error(`${refusal}; stopping`, { code: 'PACKAGE_INVALID' });
      else process.stderr.write(`kael: ${refusal}; stopping\n`);
      await frame.stop();
      return 1;
    }
    await stopped;
    return 0;
  },
};
