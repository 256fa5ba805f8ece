import os from 'node:os';
import { kindArg, oneChangeAtATime, stringArg } from './command-context.js';
import type { CommandHandler } from './command-context.js';
import { exportPackage, installPackage, rollbackPackage, updatePackage } from './deploy-commands.js';
import type { PackageKind } from '../model/package-kind.js';
import { historyDir, listHistory } from '../deploy/package-store.js';
import type { RestartResult } from '../model/deploy-result.js';
import { restartOutcome } from './package-outcome.js';
import { packageState } from '../model/frame-snapshot.js';

/** `_ping()`: the frame's full snapshot (clients use it to discover frames at once). */
const ping: CommandHandler = async (ctx) =>
  Promise.resolve({
    ...ctx.frame.snapshot(),
    uptimeMs: Math.round(process.uptime() * 1000),
    load: os.loadavg()[0],
  });

/**
 * `_get_pkg_version({ pkg?, pkg_type })`: this frame's packages of a kind with versions, paths, states
 * and reasons, and `previous`: the versions kept for rollback, newest first (a rollback restores the first).
 */
const getPackageVersion: CommandHandler = async (ctx, kwargs) => {
  const kind = kindArg(kwargs);
  const only = stringArg(kwargs, 'pkg', true);
  const conf = ctx.frame.options.serviceGroupConf;
  return Promise.all(
    ctx.frame
      .snapshot()
      .packages.filter((p) => p.kind === kind && (only === undefined || p.name === only))
      .map(async (p) => ({
        name: p.name,
        version: p.version ?? null,
        path: p.dir,
        previous: (await listHistory(historyDir(conf, kind, p.name))).map((h) => h.version).reverse(),
        state: packageState(p),
        ...(p.reason === undefined ? {} : { reason: p.reason }),
        ...(p.error === undefined ? {} : { error: p.error }),
      })),
  );
};

/** `_get_crontab_status({ crontab? })`: crontab state with run history. */
const getCrontabStatus: CommandHandler = async (ctx, kwargs) =>
  Promise.resolve(ctx.frame.crontabStatus(stringArg(kwargs, 'crontab', true)));

/**
 * `_get_metrics()`: the frame's counters now (calls, errors, latency buckets per service; crontab
 * runs; restarts and reconnects), as a MetricsSnapshot. Read-only: no signature needed.
 */
const getMetrics: CommandHandler = async (ctx) =>
  ctx.frame.metricsSnapshot === undefined ? Promise.resolve(null) : ctx.frame.metricsSnapshot();

/**
 * `_restart_service()` / `_restart_crontab()`: reloads that kind's packages from disk (services on
 * new worker processes, then the old ones drain; crontabs re-elect) and answers a
 * {@link RestartResult}: each package's state, version and reason, `ok: false` when one did not
 * come back up.
 */
function restart(kind: PackageKind): CommandHandler {
  return oneChangeAtATime(async (ctx): Promise<RestartResult> => {
    await ctx.frame.reload(kind);
    return restartOutcome(ctx.frame, kind);
  });
}

/** Every command a frame answers, by the seed's names. There is deliberately no remote shell. */
export const BUILTIN_COMMANDS: ReadonlyMap<string, CommandHandler> = new Map([
  ['_ping', ping],
  ['_get_pkg_version', getPackageVersion],
  ['_get_crontab_status', getCrontabStatus],
  ['_get_metrics', getMetrics],
  ['_restart_service', restart('service')],
  ['_restart_crontab', restart('crontab')],
  ['_export_pkg', exportPackage],
  ['_install_pkg', installPackage],
  ['_update_pkg', updatePackage],
  ['_rollback_pkg', rollbackPackage],
]);
