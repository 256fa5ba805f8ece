import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import type { BrokerConnection } from '../broker/connection.js';
import type * as ConnectionModule from '../broker/connection.js';
import type { ClientOptions, ServiceProxy } from '../client/frame-client.js';
import type { ClusterAgent } from '../commands/cluster-agent.js';
import type * as ClusterAgentModule from '../commands/cluster-agent.js';
import { readFrameConfig } from '../config/frame-config.js';
import type { FrameConfig } from '../config/frame-config.js';
import { DEFAULT_AURI } from '../broker/default-auri.js';
import { resolveAuri } from '../broker/broker-urls.js';
import { formatProblem } from '../config/problem.js';
import type { CrontabHost } from '../cron/crontab-host.js';
import type * as CrontabHostModule from '../cron/crontab-host.js';
import { DEFAULT_LEASE_TIMINGS } from '../model/lease-timings.js';
import type { CrontabStatus } from '../model/crontab-status.js';
import { ServiceHost } from '../daemon/service-host.js';
import { discardPreparedWorker, prepareWorkerProcess } from '../daemon/worker-handle.js';
import { ConfigError, KaelError } from '../errors.js';
import { readFrameAdminKey } from '../security/admin-key.js';
import type { Logger } from '../util/logger.js';
import { createLogger } from '../util/logger.js';
import type { FrameRuntime, ResolvedFrameOptions } from '../model/frame-runtime.js';
import type { FrameSnapshot, PackageSnapshot } from '../model/frame-snapshot.js';
import { diskFileView } from '../config/file-view.js';
import { failureReason, loadCatalog, locateProblems } from '../packages/package-catalog.js';
import { logPythonInterpreter } from '../packages/python-interpreter.js';
import { isCrontabRecord, isServiceRecord } from '../model/package-record.js';
import type { PackageRecord } from '../model/package-record.js';
import type { PackageKind } from '../model/package-kind.js';
import type { MetricsSnapshot } from '../model/metrics-snapshot.js';
import { FrameMetrics } from '../metrics/frame-metrics.js';
import { healthOf } from '../metrics/health.js';
import type { Health } from '../metrics/health.js';
import type { MetricsServer } from '../metrics/metrics-server.js';
import type * as MetricsServerModule from '../metrics/metrics-server.js';
import type { PrometheusRegistry } from '../metrics/prometheus-registry.js';
import { DEFAULT_MESSAGE_LIMITS } from '../model/message-limits.js';
import type { MessageLimits } from '../model/message-limits.js';
import { diffPackages, isEmptyDiff } from './package-diff.js';
import { bestEffort } from '../util/best-effort.js';

export { DEFAULT_AURI };

/** Options of a {@link WorkFrame}. */
export interface WorkFrameOptions {
  /** Namespace. When empty, frame.yaml's `service_group` is used. @default process.env.KAEL_NAME */
  name?: string | undefined;
  /**
   * RabbitMQ URL, or the URLs of a cluster's nodes (an array, or comma-separated): the frame connects
   * to one of them, in random order, and moves to another when it is lost.
   * @default process.env.KAEL_AURI (comma-separated) ?? 'amqp://guest:guest@127.0.0.1:5672'
   */
  auri?: string | readonly string[] | undefined;
  /** Path of frame.yaml (the seed's service_group_conf). */
  serviceGroupConf: string;
  /** Worker processes that consume service queues. @default 1 */
  processes?: number;
  /** Calls one worker process runs at once. @default 64 */
  concurrency?: number;
  /** Membership announcement interval. @default 2000 */
  heartbeatMs?: number;
  /**
   * How often the frame holding a crontab sends a heartbeat to the standbys. Use the same value on
   * every frame of a namespace. @default 500
   */
  crontabHeartbeatMs?: number;
  /**
   * A standby takes a crontab over when its holder sent no heartbeat for this long (a silent host);
   * a holder whose connection ends is replaced at once. @default 2000
   */
  crontabLeaseMs?: number;
  /** How long stop() lets in-flight calls and runs finish. @default 10000 */
  drainTimeoutMs?: number;
  /** A name for tools (the VS Code tree). @default frame.yaml's `label`, else none */
  label?: string | undefined;
  /**
   * Key that changing commands must be signed with (at least 16 characters; `kael keygen` makes
   * one). Without a key the frame refuses every changing command unless `allowUnsignedAdmin`.
   * @default process.env.KAEL_ADMIN_KEY, else the content of adminKeyFile or KAEL_ADMIN_KEY_FILE
   */
  adminKey?: string | undefined;
  /** File holding the admin key (read at construction). @default process.env.KAEL_ADMIN_KEY_FILE */
  adminKeyFile?: string | undefined;
  /**
   * The explicit opt-out: accept install, update, rollback, restart and export without a
   * signature. Logged as a warning at start and with every change it lets through. @default false
   */
  allowUnsignedAdmin?: boolean;
  /** Folder that install paths must stay inside. @default the folder of frame.yaml */
  installRoot?: string | undefined;
  /**
   * Port of the HTTP endpoint serving `/metrics` (Prometheus) and `/healthz` (0: any free port, see
   * {@link WorkFrame.metricsPort}). @default process.env.KAEL_METRICS_PORT, else no endpoint
   */
  metricsPort?: number | undefined;
  /** Address the metrics endpoint listens on. @default process.env.KAEL_METRICS_HOST ?? '0.0.0.0' */
  metricsHost?: string | undefined;
  /**
   * Size limits of the calls this frame serves; a field left out comes from frame.yaml's `limits`,
   * else from {@link DEFAULT_MESSAGE_LIMITS}.
   * @default frame.yaml's `limits`, else DEFAULT_MESSAGE_LIMITS (16 MiB requests and replies)
   */
  limits?: { [K in keyof MessageLimits]?: MessageLimits[K] | undefined } | undefined;
  /**
   * How long one package may take to load before it is marked FAILED (the frame starts without it).
   * @default frame.yaml's `package_load_timeout_ms`, else 30000
   */
  packageLoadTimeoutMs?: number | undefined;
  /**
   * How many worker deaths a call may be in flight at before it is moved to the namespace's
   * dead-letter queue and its caller gets WORKER_CRASHED. @default 3
   */
  maxWorkerDeaths?: number | undefined;
  /**
   * Send the stack of a failed call to the caller. Off, callers get code, type and message only (a
   * stack shows the frame's file paths); the frame logs the stack with the call's correlation id
   * either way. @default false
   */
  debugErrors?: boolean | undefined;
  /** Where the frame logs. @default createLogger('frame'): stderr, debug lines only with KAEL_DEBUG */
  logger?: Logger;
}

/** @see WorkFrameOptions.packageLoadTimeoutMs */
const DEFAULT_PACKAGE_LOAD_TIMEOUT_MS = 30_000;
/** How long at most a starting frame lets its first service worker import packages before it connects. */
const IMPORT_HEAD_START_MS = 1000;

/**
 * A frame: loads the service and crontab packages listed in frame.yaml, serves their functions over
 * RabbitMQ, runs the crontabs it is elected for, and answers management commands.
 * @example
 * const frame = new WorkFrame({ name: 'test', auri: 'amqp://127.0.0.1', serviceGroupConf: '/data/frame.yaml' });
 * await frame.start();
 */
export class WorkFrame extends EventEmitter implements FrameRuntime {
  /** `<host>-<pid>-<random>`: stable for the frame's lifetime, unique in the namespace. */
  readonly id: string;
  /** The options with every default applied (frame.yaml's limits and load timeout after start()). */
  readonly options: ResolvedFrameOptions;
  /** Where the frame logs ({@link WorkFrameOptions.logger}). */
  readonly logger: Logger;
  private readonly explicitName: string | undefined;
  private readonly explicitLabel: string | undefined;
  private readonly explicitLimits: Partial<MessageLimits>;
  private readonly explicitLoadTimeoutMs: number | undefined;
  private label: string | undefined;
  private ns: string | undefined;
  private brokerConn: BrokerConnection | undefined;
  private packageRecords: PackageRecord[] = [];
  private readonly startedAt = new Date();
  private services: ServiceHost | undefined;
  private crontabs: CrontabHost | undefined;
  private agent: ClusterAgent | undefined;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  /** The frame's counters (crontabs, restarts, reconnects; the workers' calls on demand). */
  readonly metrics: FrameMetrics;
  private readonly metricsListen: { port: number; host: string } | undefined;
  private metricsServer: MetricsServer | undefined;
  private boundMetricsPort: number | undefined;
  private prometheus: PrometheusRegistry | undefined;

  /**
   * Connects a client (no services started): the seed's `WORK_FRAME(name, auri)` without a config.
   * @throws KaelError `BROKER_UNAVAILABLE`
   */
  static async connect<S extends object = Record<never, never>>(
    options: ClientOptions = {},
  ): Promise<ServiceProxy<S>> {
    return (await import('../client/frame-client.js')).connectClient<S>(options);
  }

  /**
   * @throws KaelError `CONFIG_INVALID` when `auri` (or KAEL_AURI) is not a list of amqp URLs;
   * ConfigError `CONFIG_INVALID` when the admin key file cannot be read or the key is too short, or
   * when a size limit is not an integer from 1 to 134217728.
   */
  constructor(options: WorkFrameOptions) {
    super();
    this.id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.explicitName = nonEmpty(options.name) ?? nonEmpty(process.env['KAEL_NAME']);
    this.explicitLabel = nonEmpty(options.label);
    this.logger = options.logger ?? createLogger('frame');
    const key = readFrameAdminKey({ key: options.adminKey, keyFile: options.adminKeyFile });
    if (key?.warning !== undefined) this.logger.warn(key.warning);
    const serviceGroupConf = path.resolve(options.serviceGroupConf);
    this.explicitLimits = definedFields(options.limits ?? {});
    this.explicitLoadTimeoutMs = options.packageLoadTimeoutMs;
    this.options = {
      auri: resolveAuri(options.auri),
      serviceGroupConf,
      processes: Math.max(1, options.processes ?? 1),
      concurrency: Math.max(1, options.concurrency ?? 64),
      heartbeatMs: options.heartbeatMs ?? 2000,
      crontabHeartbeatMs: options.crontabHeartbeatMs ?? DEFAULT_LEASE_TIMINGS.heartbeatMs,
      crontabLeaseMs: options.crontabLeaseMs ?? DEFAULT_LEASE_TIMINGS.leaseMs,
      drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
      adminKey: key?.key,
      allowUnsignedAdmin: options.allowUnsignedAdmin === true,
      installRoot: path.resolve(options.installRoot ?? path.dirname(serviceGroupConf)),
      limits: { ...DEFAULT_MESSAGE_LIMITS, ...this.explicitLimits },
      packageLoadTimeoutMs: options.packageLoadTimeoutMs ?? DEFAULT_PACKAGE_LOAD_TIMEOUT_MS,
      maxWorkerDeaths: Math.max(1, options.maxWorkerDeaths ?? 3),
      debugErrors: options.debugErrors === true,
    };
    this.metrics = new FrameMetrics(
      () => ({ frame: this.id, namespace: this.ns ?? '' }),
      () => this.services?.serviceCounters() ?? Promise.resolve({}),
    );
    this.metricsListen = metricsListen(options);
  }

  /** The namespace; known after start() read frame.yaml. */
  get namespace(): string {
    if (this.ns === undefined) throw new KaelError('USAGE', 'the namespace is known only after start()');
    return this.ns;
  }

  /**
   * The frame's broker connection.
   * @throws KaelError `USAGE` before start().
   */
  get broker(): BrokerConnection {
    if (this.brokerConn === undefined)
      throw new KaelError('USAGE', 'the broker is connected only after start()');
    return this.brokerConn;
  }

  /** Packages as last read from disk (including failed ones). */
  records(): readonly PackageRecord[] {
    return this.packageRecords;
  }

  /**
   * Reads frame.yaml, connects, and starts services, crontabs and the cluster agent.
   * @throws ConfigError `CONFIG_INVALID` when frame.yaml is missing or wrong (bad packages only log).
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new KaelError('USAGE', `frame already ${this.state}`);
    this.state = 'starting';
    // Cold start: a service worker process boots while the configuration is read.
    prepareWorkerProcess();
    try {
      await this.startComponents();
    } finally {
      // Taken by the first service worker; not needed when the frame has no service packages.
      discardPreparedWorker();
    }
  }

  private async startComponents(): Promise<void> {
    const config = await readFrameConfig(this.options.serviceGroupConf);
    this.ns = this.explicitName ?? config.serviceGroup;
    this.label = this.explicitLabel ?? config.label;
    this.applyConfigOptions(config);
    // The frame's workers import the code and check its exports (the same check the editor makes on
    // the source), so the frame process does not read the code itself.
    this.packageRecords = await loadCatalog(config, diskFileView, { readCode: false });
    this.reportProblems(this.packageRecords);
    // Cold start: the service workers get their packages first (they connect by themselves).
    this.services = new ServiceHost(this);
    const served = this.services.start();
    // Awaited below with the connection; marked handled so a failure meanwhile is no unhandled rejection.
    void bestEffort(served, this.logger, 'start the service workers');
    // Cold start: those modules load, and the frame connects, once the first worker has imported its
    // packages (bounded: a slow import must not hold the crontabs back). Loaded beside the worker's
    // own start, they took CPU its first calls need (a frame and its worker at once on 2 cores:
    // `kael run` → first call 472 → 431 ms, median of 8 interleaved runs).
    await Promise.race([
      this.services.imported(),
      new Promise((r) => setTimeout(r, IMPORT_HEAD_START_MS).unref()),
    ]);
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { BrokerConnection } = require('../broker/connection.js') as typeof ConnectionModule;
    const { CrontabHost } = require('../cron/crontab-host.js') as typeof CrontabHostModule;
    const { ClusterAgent } = require('../commands/cluster-agent.js') as typeof ClusterAgentModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    this.brokerConn = new BrokerConnection({
      url: this.options.auri,
      connectionName: `kael-frame:${this.ns}`,
      failFast: false,
      logger: this.logger,
    });
    this.metrics.watch(this.brokerConn);
    this.crontabs = new CrontabHost(this);
    this.agent = new ClusterAgent(this);
    const [connected, started] = await Promise.allSettled([this.brokerConn.start(), served]);
    if (connected.status === 'rejected' || started.status === 'rejected') {
      await this.services.stop();
      await this.brokerConn.close();
      throw connected.status === 'rejected' ? connected.reason : (started as PromiseRejectedResult).reason;
    }
    // After the workers serve (an interpreter's start takes CPU the first calls need), and before the
    // frame announces itself, so a change sent to it at once does not compete with it either.
    const pythonNote = logPythonInterpreter(this.packageRecords, this.logger).catch((e: unknown) =>
      this.logger.warn('cannot check the Python interpreter', { error: (e as Error).message }),
    );
    await this.locateWorkerProblems();
    await this.crontabs.start();
    await pythonNote;
    await this.agent.start();
    this.state = 'running';
    if (this.metricsListen !== undefined) await this.serveMetrics(this.metricsListen);
    const failed = this.packageRecords.filter((r) => r.error !== undefined).length;
    this.logger.info('frame started', {
      id: this.id,
      namespace: this.ns,
      loaded: this.packageRecords.length - failed,
      failed,
    });
  }

  /** The seed's name for {@link start}. */
  async frameStart(): Promise<void> {
    await this.start();
  }

  /** Stops: goodbye to the namespace, crontabs released, in-flight calls drained, connection closed. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping' || this.state === 'new') return;
    this.state = 'stopping';
    await this.agent?.stop();
    await this.crontabs?.stop();
    await this.services?.stop();
    await this.metricsServer?.close();
    this.metrics.unwatch();
    await this.brokerConn?.close();
    this.state = 'stopped';
    this.emit('stopped');
  }

  /**
   * Re-reads frame.yaml and the packages of one kind from disk and restarts that kind on them (the
   * restart commands); one reload runs at a time.
   * @throws ConfigError `CONFIG_INVALID` when frame.yaml is missing or wrong.
   * @throws KaelError `COMMAND_FAILED` when the new service workers exit before they are ready.
   */
  async reload(kind: PackageKind): Promise<void> {
    // One reload at a time: two restart commands arriving together must not interleave their swaps.
    const run = this.reloading.then(() => this.reloadNow(kind));
    // The caller gets the failure from `run`; the queue goes on with the next reload.
    this.reloading = bestEffort(run, this.logger, `reload the ${kind} packages`);
    await run;
  }

  private reloading: Promise<void> = Promise.resolve();

  private async reloadNow(kind: PackageKind): Promise<void> {
    // Announced at once, so the namespace sees `restarting` rather than a stale `ok` while it runs.
    this.restarting.add(kind);
    this.changed();
    try {
      const config = await readFrameConfig(this.options.serviceGroupConf);
      this.label = this.explicitLabel ?? config.label;
      this.applyConfigOptions(config);
      const fresh = await loadCatalog(config, diskFileView, { readCode: false });
      this.reportProblems(fresh.filter((r) => r.setting === undefined || r.setting.type === kind));
      // Keep the other kind's records as they are: reloading services must not touch running crontabs.
      const others = this.packageRecords.filter((r) => r.setting !== undefined && r.setting.type !== kind);
      const mine = fresh.filter((r) => r.setting === undefined || r.setting.type === kind);
      this.packageRecords = [...others, ...mine];
      if (kind === 'service') await this.services?.restart(this.packageRecords.filter(isServiceRecord));
      else await this.crontabs?.restart(this.packageRecords.filter(isCrontabRecord));
      await this.locateWorkerProblems();
    } finally {
      this.restarting.delete(kind);
      this.changed();
    }
  }

  /** Takes frame.yaml's limits and load timeout where the frame's options left them out. */
  private applyConfigOptions(config: FrameConfig): void {
    this.options.limits = { ...DEFAULT_MESSAGE_LIMITS, ...config.limits, ...this.explicitLimits };
    this.options.packageLoadTimeoutMs =
      this.explicitLoadTimeoutMs ?? config.packageLoadTimeoutMs ?? DEFAULT_PACKAGE_LOAD_TIMEOUT_MS;
  }

  /**
   * Re-reads frame.yaml and applies what changed (SIGHUP of `kael run`): packages added are started,
   * removed ones drained and stopped, changed ones (setting, frame.yaml entry, or failing) reloaded;
   * crontabs that did not change keep running and keep their locks. When any service package changed,
   * a new generation of service workers starts before the old one drains, so calls of the untouched
   * services are not dropped. The namespace stays what it was at start.
   * @returns what changed, by package name
   * @throws ConfigError `CONFIG_INVALID` when frame.yaml is missing or wrong: nothing was changed.
   * @throws KaelError `COMMAND_FAILED` when the new service workers exit before they are ready
   * (the old ones keep serving the previous packages).
   */
  async reloadConfig(): Promise<ReloadSummary> {
    const run = this.reloading.then(() => this.reloadConfigNow());
    // The caller gets the failure from `run`; the queue goes on with the next reload.
    this.reloading = bestEffort(run, this.logger, 'reload frame.yaml');
    return run;
  }

  private async reloadConfigNow(): Promise<ReloadSummary> {
    if (this.state !== 'running') throw new KaelError('USAGE', `cannot reload a frame that is ${this.state}`);
    const config = await readFrameConfig(this.options.serviceGroupConf);
    const fresh = await loadCatalog(config, diskFileView, { readCode: false });
    const diff = diffPackages(this.packageRecords, fresh);
    const summary: ReloadSummary = {
      added: diff.added.map(nameOf),
      removed: diff.removed.map(nameOf),
      changed: diff.changed.map(nameOf),
      unchanged: diff.unchanged.map(nameOf),
    };
    if (this.explicitName === undefined && config.serviceGroup !== this.ns)
      this.logger.warn('frame.yaml names another service_group; the namespace stays until a restart', {
        code: 'CONFIG_INVALID',
        namespace: this.ns,
        service_group: config.serviceGroup,
      });
    this.label = this.explicitLabel ?? config.label;
    this.applyConfigOptions(config);
    if (isEmptyDiff(diff)) return summary;
    this.reportProblems([...diff.added, ...diff.changed]);
    const kept = new Set(diff.unchanged.map((r) => r.dir));
    const previous = this.packageRecords;
    // The running records of unchanged packages are kept: they carry what the hosts learned since start.
    this.packageRecords = fresh.map((r) =>
      kept.has(r.dir) ? (diff.unchanged.find((u) => u.dir === r.dir) ?? r) : r,
    );
    const touched = [...diff.added, ...diff.removed, ...diff.changed];
    const touches = (kind: PackageKind): boolean =>
      touched.some((r) => (r.setting?.type ?? r.declared?.type) === kind);
    this.changed();
    if (touches('service')) {
      await logPythonInterpreter(diff.added.concat(diff.changed), this.logger);
      try {
        await this.services?.restart(this.packageRecords.filter(isServiceRecord));
      } catch (e) {
        // The new workers did not come up and the old ones still serve: say so, not the new list.
        this.packageRecords = previous;
        this.changed();
        throw e;
      }
    }
    if (touches('crontab')) await this.crontabs?.apply(this.packageRecords.filter(isCrontabRecord), kept);
    await this.locateWorkerProblems();
    this.changed();
    return summary;
  }

  /** Gives the problems service workers reported (by JSON pointer) their line and column. */
  private async locateWorkerProblems(): Promise<void> {
    for (const r of this.packageRecords) if (r.error !== undefined) r.error = await locateProblems(r.error);
  }

  /** Package kinds whose reload is under way (their packages report `restarting`). */
  private readonly restarting = new Set<PackageKind>();

  /** Signals that the snapshot changed: the frame announces itself again and emits `changed`. */
  changed(): void {
    this.agent?.announce();
    this.emit('changed');
  }

  /** What the frame announces about itself now (packages, crontabs, limits, metrics port). */
  snapshot(): FrameSnapshot {
    return {
      id: this.id,
      ...(this.label === undefined ? {} : { label: this.label }),
      host: os.hostname(),
      pid: process.pid,
      namespace: this.ns ?? '',
      startedAt: this.startedAt.toISOString(),
      heartbeatMs: this.options.heartbeatMs,
      configFile: this.options.serviceGroupConf,
      packages: this.packageRecords.map((r) =>
        toPackageSnapshot(r, this.restarting, this.services?.isConsuming() ?? false),
      ),
      crontabs: this.crontabs?.snapshot() ?? [],
    };
  }

  /** Every counter of the frame now (its workers are asked over IPC). */
  async metricsSnapshot(): Promise<MetricsSnapshot> {
    return this.metrics.snapshot();
  }

  /** What `/healthz` answers now. */
  health(): Health {
    return healthOf({
      running: this.state === 'running',
      connected: this.brokerConn?.isReady === true,
      packages: this.snapshot().packages,
    });
  }

  /** The port the metrics endpoint listens on (the chosen one when 0 was asked), once started. */
  get metricsPort(): number | undefined {
    return this.boundMetricsPort;
  }

  /** The Prometheus exposition of the frame's counters now. */
  async prometheusText(): Promise<{ text: string; contentType: string }> {
    // prom-client is loaded only by a frame that serves its metrics.
    this.prometheus ??= new (await import('../metrics/prometheus-registry.js')).PrometheusRegistry();
    const text = await this.prometheus.render({
      metrics: await this.metrics.snapshot(),
      packages: this.snapshot().packages,
      connected: this.brokerConn?.isReady === true,
    });
    return { text, contentType: this.prometheus.contentType };
  }

  private async serveMetrics(listen: { port: number; host: string }): Promise<void> {
    // Loaded only by a frame that serves its metrics (node:http is milliseconds of every start).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MetricsServer: Server } = require('../metrics/metrics-server.js') as typeof MetricsServerModule;
    const server = new Server(
      { metrics: () => this.prometheusText(), health: () => this.health() },
      this.logger,
    );
    const address = await server.listen(listen.port, listen.host);
    this.metricsServer = server;
    this.boundMetricsPort = address.port;
    this.logger.info('metrics endpoint listening', { url: `http://${listen.host}:${address.port}/metrics` });
  }

  /**
   * Full crontab state with run history.
   * @default crontab every crontab of the frame
   */
  crontabStatus(crontab?: string): CrontabStatus[] {
    return this.crontabs?.status(crontab) ?? [];
  }

  private reportProblems(records: readonly PackageRecord[]): void {
    for (const r of records) {
      for (const p of r.problems) {
        const level = p.severity === 'error' ? 'error' : 'warn';
        this.logger[level](`package ${r.raw}: ${formatProblem(p)}`, {
          code: p.code,
          file: p.file,
          pointer: p.pointer,
        });
      }
    }
  }
}

/** What {@link WorkFrame.reloadConfig} did, by package name. */
export interface ReloadSummary {
  /** Packages started. */
  added: string[];
  /** Packages drained and stopped. */
  removed: string[];
  /** Packages reloaded (setting, frame.yaml entry, or failing before). */
  changed: string[];
  unchanged: string[];
}

function nameOf(r: PackageRecord): string {
  return r.setting?.name ?? r.declared?.name ?? path.basename(r.dir);
}

/** @param consuming whether any service worker consumes now: services nobody consumes are not advertised. */
function toPackageSnapshot(
  r: PackageRecord,
  restarting: ReadonlySet<PackageKind>,
  consuming: boolean,
): PackageSnapshot {
  const s = r.setting;
  const declaredKind =
    r.declared?.type === 'service' || r.declared?.type === 'crontab' ? r.declared.type : 'unknown';
  const kind = s?.type ?? declaredKind;
  const snap: PackageSnapshot = {
    kind,
    name: s?.name ?? r.declared?.name ?? path.basename(r.dir),
    dir: r.dir,
    // A reload under way is retrying the package: its last failure is no longer the news.
    state:
      kind !== 'unknown' && restarting.has(kind) ? 'restarting' : r.error !== undefined ? 'failed' : 'ok',
  };
  if (s !== undefined) snap.version = s.version;
  else if (r.declared?.version !== undefined) snap.version = r.declared.version;
  if (s?.type === 'service' && (consuming || r.error !== undefined))
    snap.services = s.publish.map((f) => `${s.name}__${f}`);
  if (r.error !== undefined && snap.state === 'failed') {
    snap.error = r.error;
    snap.reason = failureReason(r.error, r.dir);
  }
  return snap;
}

/**
 * Where the metrics endpoint listens, from the options or KAEL_METRICS_PORT / KAEL_METRICS_HOST.
 * @throws KaelError `CONFIG_INVALID` when the port is not a whole number from 0 to 65535.
 */
function metricsListen(options: WorkFrameOptions): { port: number; host: string } | undefined {
  const raw = options.metricsPort ?? nonEmpty(process.env['KAEL_METRICS_PORT']);
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new KaelError('CONFIG_INVALID', `metrics port must be 0..65535, got ${String(raw)}`);
  return {
    port,
    host: nonEmpty(options.metricsHost) ?? nonEmpty(process.env['KAEL_METRICS_HOST']) ?? '0.0.0.0',
  };
}

/** The fields of `limits` that are set (so `{ maxReplyBytes: undefined }` does not hide frame.yaml's). */
function definedFields(limits: NonNullable<WorkFrameOptions['limits']>): Partial<MessageLimits> {
  const out: Partial<MessageLimits> = {};
  for (const key of ['maxRequestBytes', 'maxReplyBytes'] as const) {
    const v = limits[key];
    if (v === undefined) continue;
    // Over the broker's own 128 MiB limit, the broker would close the channel instead.
    if (!Number.isInteger(v) || v < 1 || v > BROKER_MAX_MESSAGE_BYTES)
      throw new ConfigError(
        'CONFIG_INVALID',
        `limits.${key} must be an integer from 1 to ${BROKER_MAX_MESSAGE_BYTES}, got ${v}`,
        {
          details: { option: `limits.${key}`, value: v },
        },
      );
    out[key] = v;
  }
  return out;
}

/** RabbitMQ's default `max_message_size` (the largest the schema allows too). */
const BROKER_MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

function nonEmpty(v: string | undefined | null): string | undefined {
  return v === undefined || v === null || v.trim() === '' ? undefined : v;
}
