import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { BrokerConnection } from '../broker/connection.js';
import { names } from '../broker/names.js';
import type { CrontabStatus } from '../model/crontab-status.js';
import type { MetricsSnapshot } from '../model/metrics-snapshot.js';
import { KaelError } from '../errors.js';
import { packageState } from '../model/frame-snapshot.js';
import type { FrameSnapshot, PackageState } from '../model/frame-snapshot.js';
import type { KaelErrorCode } from '../errors.js';
import type { CommandMessage } from '../model/command-message.js';
import type { DeployResult, RestartResult } from '../model/deploy-result.js';
import { MembershipView } from '../membership/membership-view.js';
import { RequestChannel } from '../rpc/request-channel.js';
import type { RequestHandle } from '../rpc/request-channel.js';
import { CHANGING_COMMANDS, signCommand } from '../security/command-signature.js';
import { ensureExchange } from '../security/ensure-exchange.js';
import type { Logger } from '../util/logger.js';
import { highestVersion, sameVersion } from '../version/version.js';
import { PendingCommand } from './command-responses.js';
import type { CommandResponse } from './command-responses.js';
import { planDeploy, selectFrames, versionOn } from './deploy-plan.js';
import type { TargetOptions } from './deploy-plan.js';
import type { PackageKind } from '../model/package-kind.js';
import type { DeadLetterReport } from '../model/dead-letter.js';
import { dropDeadLetters, readDeadLetters } from '../rpc/dead-letter-queue.js';
import { bestEffort } from '../util/best-effort.js';

/** How long to wait, in milliseconds; `timeout` is the old name, kept for one release. */
export interface WaitOptions {
  /** Milliseconds to wait. @default the method's own (5000 for queries, 120000 for changes) */
  timeoutMs?: number;
  /** @deprecated use `timeoutMs` (same meaning, milliseconds). */
  timeout?: number;
}

/** Options of install/update/rollback/restart. */
export interface ChangeOptions extends TargetOptions, WaitOptions {
  /** Version to install or update to. @default the highest version a live frame holds */
  version?: string;
  /** Milliseconds to wait for every frame's result. @default 120000 */
  timeoutMs?: number;
}

/** Codes of a failed digest query that reach the caller as they are. */
/** Pause before a targeted command is sent again to a live frame whose command queue is missing. */
const TARGET_RETRY_MS = 250;
/**
 * A targeted command its frame has not answered for this long is sent again (signed afresh) while
 * the frame still announces itself: right after a broker node dies, a message can be routed to the
 * frame's old command queue on that node and vanish without coming back as unroutable.
 */
const TARGET_RESEND_MS = 10_000;

const DIGEST_ERRORS: ReadonlySet<string> = new Set([
  'UNAUTHORIZED',
  'PACKAGE_NOT_FOUND',
  'ARCHIVE_INVALID',
  'COMMAND_TIMEOUT',
  'FRAME_NOT_FOUND',
]);

/** The milliseconds of {@link WaitOptions}, or `fallback`. */
export function waitMs(options: WaitOptions, fallback: number): number {
  return options.timeoutMs ?? options.timeout ?? fallback;
}

/** One copy of a package on one frame, as {@link ClusterClient.packageStatus} lists it. */
export interface PackageStatusRow {
  /** Id of the frame holding the copy. */
  frame: string;
  /** Host name of that frame. */
  host: string;
  /** Package name. */
  name: string;
  /** Version of the copy (undefined when its setting.yaml could not be read). */
  version: string | undefined;
  /** Absolute package folder on that frame. */
  path: string;
  /** `ok`, `failed` or `restarting`. */
  state: PackageState;
  /** Why it failed, in one line (only on a failed copy). */
  reason?: string;
  /** The failure's full message (only on a failed copy). */
  error?: string;
}

/** Per-frame outcome of a changing helper. */
export type ChangeResults = Record<string, DeployResult>;

/**
 * The management half of a client: the live view of the namespace's frames and the seed's commands.
 * The frame client extends it with service calls.
 *
 * Events (after `servers()` or `watch()` started the view): `frames` (FrameSnapshot[]), `frame-up`,
 * `frame-changed`, `frame-down` (FrameSnapshot), `frame-seen` (frame id, at every announcement);
 * `connection-lost` (Error | undefined) and `connection-ready` when the broker connection drops and
 * comes back (the client reconnects by itself).
 */
export class ClusterClient extends EventEmitter {
  protected readonly requests: RequestChannel;
  private readonly view: MembershipView;
  private viewStarted: Promise<void> | undefined;
  private readonly pending = new Map<string, PendingCommand>();
  private readonly adminKey: string | undefined;

  /**
   * Most code uses {@link connectClient} instead, which makes the connection and opens the client.
   * @param broker the connection the client uses (not started here; the client does not own it)
   * @param namespace the namespace to talk to
   * @param logger where the client logs (the view's changes, command failures)
   * @param options.adminKey the key that signs changing commands @default none: changing commands are unsigned and refused by secure frames
   * @param options.directReplyTo take replies through direct reply-to only (see RequestChannelOptions) @default false
   */
  constructor(
    protected readonly broker: BrokerConnection,
    /** The namespace this client talks to. */
    readonly namespace: string,
    protected readonly logger: Logger,
    options: { adminKey?: string | undefined; directReplyTo?: boolean | undefined } = {},
  ) {
    super();
    this.requests = new RequestChannel(broker, logger, { directReplyTo: options.directReplyTo === true });
    this.adminKey = options.adminKey;
    this.view = new MembershipView(broker, namespace, logger);
    for (const event of ['frames', 'frame-up', 'frame-changed', 'frame-down', 'frame-seen'] as const) {
      this.view.on(event, (arg: unknown) => this.emit(event, arg));
    }
    broker.on('lost', (err: Error | undefined) => this.emit('connection-lost', err));
    broker.on('ready', () => this.emit('connection-ready'));
    this.view.on('frame-down', (f: FrameSnapshot) => {
      for (const p of this.pending.values())
        p.writeOff(f.id, {
          code: 'FRAME_NOT_FOUND',
          name: 'KaelError',
          message: `frame ${f.id} left the namespace`,
        });
    });
  }

  /**
   * Opens the reply channel.
   * @throws KaelError `BROKER_UNAVAILABLE` when the connection is made here and no node can be reached.
   */
  async open(): Promise<void> {
    await this.requests.start();
  }

  /**
   * The live frames of the namespace. The first call starts the live view and asks every frame to
   * answer at once (about 300 ms); later calls return the current view.
   * @throws KaelError `CLIENT_CLOSED` when the client was closed meanwhile.
   */
  async servers(): Promise<FrameSnapshot[]> {
    this.viewStarted ??= this.startView();
    await this.viewStarted;
    return this.view.frames();
  }

  /**
   * The namespace's dead-letter queue (`kael.<ns>.dlq`): how many calls were quarantined after
   * killing their workers, and the first `limit` of them (function, error, time, correlation id),
   * left in the queue. Reads the queue directly: the broker user needs read access to it.
   * @default limit 100
   * @throws KaelError `BROKER_UNAVAILABLE` when the broker refuses.
   */
  async deadLetters(options: { limit?: number } = {}): Promise<DeadLetterReport> {
    return readDeadLetters(await this.broker.start(), this.namespace, options.limit ?? 100);
  }

  /**
   * Empties the namespace's dead-letter queue (a purge on the broker, not a frame command: the broker
   * user needs configure access to `kael.<ns>.dlq`).
   * @returns how many dead letters were dropped.
   * @throws KaelError `BROKER_UNAVAILABLE` when the broker refuses.
   */
  async dropDeadLetters(): Promise<number> {
    return dropDeadLetters(await this.broker.start(), this.namespace);
  }

  /** Calls `listener` with the full frame list now and after every change; returns the unsubscribe function. */
  watch(listener: (frames: FrameSnapshot[]) => void): () => void {
    this.on('frames', listener);
    void this.servers().then(listener, (e: unknown) =>
      this.logger.warn('membership view failed', { error: (e as Error).message }),
    );
    return () => this.off('frames', listener);
  }

  /**
   * Sends a command to every frame, to frame `id` only, or to all but `notId` (the seed's `command`).
   * A changing command is signed with the admin key, if the client has one: the signature covers
   * this namespace, the command, every argument and the targets.
   * @returns the command id for {@link getResponse}.
   * @throws KaelError `CLIENT_CLOSED` when the client was closed meanwhile; `ENCODE_ERROR` |
   * `REQUEST_TOO_LARGE` when `kwargs` cannot be sent.
   */
  async command(
    fn: string,
    kwargs: Record<string, unknown> = {},
    target: TargetOptions = {},
  ): Promise<string> {
    const frames = await this.servers();
    const targets = new Set(selectFrames(frames, target).map((f) => f.id));
    if (target.id !== undefined) targets.add(target.id);
    const excluded = frames.filter((f) => !targets.has(f.id)).map((f) => f.id);
    const [exchange, routingKey] =
      target.id !== undefined
        ? [names.commandDirectExchange(this.namespace), target.id]
        : [names.commandExchange(this.namespace), ''];
    const pending = new PendingCommand(fn, targets);
    // Every copy sent again (below) carries it: a frame runs a change once and answers copies alike.
    const requestId = CHANGING_COMMANDS.has(fn) ? randomBytes(8).toString('hex') : undefined;
    const publish = (): Promise<RequestHandle> =>
      this.requests.request(
        exchange,
        routingKey,
        this.commandBody(fn, kwargs, target.id, excluded, requestId),
        { timeoutMs: 600_000, mandatory: target.id !== undefined, label: fn },
        (envelope, msg) => {
          const from = msg.properties.appId as string | undefined;
          return from !== undefined && pending.add(from, envelope);
        },
      );
    let handle = await publish();
    let cancelled = false;
    pending.cancel = () => {
      cancelled = true;
      handle.cancel();
    };
    const onFailure = (e: KaelError): void => {
      if (target.id === undefined || cancelled) return;
      const alive = this.view.frames().some((f) => f.id === target.id);
      if (e.code === 'SERVICE_NOT_FOUND' && alive) {
        // The frame still announces itself but its command queue is missing: it is declaring it
        // again after losing its broker node. Send again (signed afresh) until it is back or the
        // caller stops waiting.
        setTimeout(() => {
          if (cancelled) return;
          publish().then((next) => {
            handle = next;
            next.done.catch(onFailure);
          }, onFailure);
        }, TARGET_RETRY_MS);
        return;
      }
      pending.writeOff(target.id, {
        code: e.code === 'SERVICE_NOT_FOUND' ? 'FRAME_NOT_FOUND' : e.code,
        name: 'KaelError',
        message: e.code === 'SERVICE_NOT_FOUND' ? `no frame has id ${target.id}` : e.message,
      });
    };
    handle.done.catch(onFailure);
    const targetId = target.id;
    if (targetId !== undefined) {
      const resend = (): void => {
        if (cancelled || targetId in pending.replies) return;
        if (!this.view.frames().some((f) => f.id === targetId)) return;
        publish().then((next) => {
          handle.cancel();
          handle = next;
          next.done.catch(onFailure);
          setTimeout(resend, TARGET_RESEND_MS).unref();
        }, onFailure);
      };
      setTimeout(resend, TARGET_RESEND_MS).unref();
    }
    const id = handle.correlationId;
    this.pending.set(id, pending);
    return id;
  }

  /** A command's body, signed (with a fresh nonce) when it changes code and the client has the key. */
  private commandBody(
    fn: string,
    kwargs: Record<string, unknown>,
    id: string | undefined,
    excluded: string[],
    requestId: string | undefined,
  ): CommandMessage {
    const body: CommandMessage = { fn, kwargs };
    if (id !== undefined) body.id = id;
    if (excluded.length > 0) body.notId = excluded;
    if (requestId !== undefined) body.requestId = requestId;
    if (this.adminKey !== undefined && CHANGING_COMMANDS.has(fn))
      body.auth = signCommand(this.adminKey, {
        namespace: this.namespace,
        fn,
        kwargs,
        id: body.id,
        notId: body.notId,
        requestId,
      });
    return body;
  }

  /**
   * Every targeted frame's answer to a command (the seed's `get_response`): as soon as all answered,
   * else after `timeoutMs`, with frames that did not answer marked `COMMAND_TIMEOUT`.
   * @param options.timeoutMs @default 5000
   * @throws KaelError `USAGE` for an unknown command id.
   */
  async getResponse(id: string, options: WaitOptions = {}): Promise<CommandResponse> {
    const p = this.pending.get(id);
    if (p === undefined) throw new KaelError('USAGE', `unknown command id ${id} (already collected?)`);
    try {
      return await p.wait(waitMs(options, 5000));
    } finally {
      this.pending.delete(id);
      p.cancel();
    }
  }

  /**
   * {@link command} then {@link getResponse}.
   * @param options.timeoutMs @default 5000
   * @throws KaelError as {@link command}.
   */
  async commandAll(
    fn: string,
    kwargs: Record<string, unknown> = {},
    options: TargetOptions & WaitOptions = {},
  ): Promise<CommandResponse> {
    return this.getResponse(await this.command(fn, kwargs, options), { timeoutMs: waitMs(options, 5000) });
  }

  /**
   * The highest live version of package `pkg` of a kind, or of every package of the kind (the seed's
   * `get_last_version`). Copies that failed to load are not counted: a version only failed copies
   * hold is never offered (as the source of an update or install either).
   * @example await client.getLastVersion('service', 'calculate') // '1.10'
   * @default kind 'service'
   * @throws KaelError `CLIENT_CLOSED` when the client was closed meanwhile.
   */
  async getLastVersion(kind: PackageKind, pkg: string): Promise<string | undefined>;
  async getLastVersion(kind?: PackageKind): Promise<Record<string, string>>;
  /** @deprecated use `getLastVersion(kind, pkg)`. */
  async getLastVersion(options: {
    service?: string;
    pkgType?: PackageKind;
  }): Promise<string | undefined | Record<string, string>>;
  async getLastVersion(
    kindOrOptions: PackageKind | { service?: string; pkgType?: PackageKind } = 'service',
    pkg?: string,
  ): Promise<string | undefined | Record<string, string>> {
    const [kind, name] =
      typeof kindOrOptions === 'string'
        ? [kindOrOptions, pkg]
        : [kindOrOptions.pkgType ?? 'service', kindOrOptions.service];
    const byName = new Map<string, string[]>();
    for (const f of await this.servers())
      for (const p of f.packages)
        if (p.kind === kind && p.version !== undefined && packageState(p) !== 'failed')
          byName.set(p.name, [...(byName.get(p.name) ?? []), p.version]);
    if (name !== undefined) return highestVersion(byName.get(name) ?? []);
    return Object.fromEntries([...byName].map(([n, v]) => [n, highestVersion(v) ?? '']));
  }

  /**
   * Which frame holds which version of each package of a kind, or of package `pkg` (the picture
   * before an update), with each copy's state (`ok`, `failed`, `restarting`) and why it failed.
   * @default kind 'service'
   * @throws KaelError `CLIENT_CLOSED` when the client was closed meanwhile.
   */
  async packageStatus(kind: PackageKind = 'service', pkg?: string): Promise<PackageStatusRow[]> {
    return (await this.servers()).flatMap((f) =>
      f.packages
        .filter((p) => p.kind === kind && (pkg === undefined || p.name === pkg))
        .map((p) => ({
          frame: f.id,
          host: f.host,
          name: p.name,
          version: p.version,
          path: p.dir,
          state: packageState(p),
          ...(p.reason === undefined ? {} : { reason: p.reason }),
          ...(p.error === undefined ? {} : { error: p.error.message }),
        })),
    );
  }

  /**
   * Every frame's crontab status with run history (the seed's `get_all_crontab_status`).
   * @param options.timeoutMs @default 5000
   * @param options.crontab only this crontab @default every crontab
   * @throws KaelError `CLIENT_CLOSED` when the client was closed meanwhile.
   */
  async getAllCrontabStatus(
    options: { crontab?: string } & WaitOptions = {},
  ): Promise<Record<string, CrontabStatus[]>> {
    const response = await this.commandAll(
      '_get_crontab_status',
      options.crontab === undefined ? {} : { crontab: options.crontab },
      { timeoutMs: waitMs(options, 5000) },
    );
    return Object.fromEntries(
      Object.entries(response)
        .filter(([, r]) => r.ok)
        .map(([id, r]) => [id, (r as { value: CrontabStatus[] }).value]),
    );
  }

  /**
   * Every frame's counters now (`_get_metrics`): calls, errors and latency buckets per service,
   * crontab runs, worker restarts and broker reconnects. Rates come from two snapshots.
   * @param options.timeoutMs @default 5000
   * @throws KaelError `CLIENT_CLOSED` when the client was closed meanwhile.
   */
  async getAllMetrics(options: WaitOptions = {}): Promise<Record<string, MetricsSnapshot>> {
    const response = await this.commandAll('_get_metrics', {}, { timeoutMs: waitMs(options, 5000) });
    return Object.fromEntries(
      Object.entries(response)
        .filter(([, r]) => r.ok && r.value !== null)
        .map(([id, r]) => [id, (r as { value: MetricsSnapshot }).value]),
    );
  }

  /**
   * Moves the frames holding package `pkg` (or frame `id`) to `version` (default: the highest live
   * one), then restarts that kind on them.
   * The source frame is asked for the archive's sha256 first; the signed command names it, and every
   * target refuses any other archive (`ARCHIVE_INVALID` in its result).
   * @returns each targeted frame's result.
   * @param options.timeoutMs @default 120000
   * @throws KaelError `PACKAGE_NOT_FOUND` when no selected frame holds it; `VERSION_NOT_FOUND` when no live frame holds that version;
   * `UNAUTHORIZED` when the source refuses the digest query (no admin key, or another key).
   */
  async update(kind: PackageKind, pkg: string, options: ChangeOptions = {}): Promise<ChangeResults> {
    return this.deploy('update', kind, pkg, undefined, options);
  }

  /**
   * Installs package `pkg` at `installPath` (relative to each frame's frame.yaml folder) on the
   * selected frames lacking it, and adds it to their frame.yaml.
   * Each frame refuses a path outside its install root (`UNAUTHORIZED` in its result).
   * @throws KaelError `PACKAGE_EXISTS` when every selected frame has it; `VERSION_NOT_FOUND`; `UNAUTHORIZED` as for {@link update}.
   */
  async install(
    kind: PackageKind,
    pkg: string,
    installPath: string,
    options: ChangeOptions = {},
  ): Promise<ChangeResults> {
    return this.deploy('install', kind, pkg, installPath, options);
  }

  /**
   * Restores the previous version of package `pkg` on the frames holding it.
   * @param options.timeoutMs @default 120000
   * @throws KaelError `PACKAGE_NOT_FOUND` when no selected frame holds it; `CLIENT_CLOSED` when the
   * client was closed meanwhile.
   */
  async rollback(kind: PackageKind, pkg: string, options: ChangeOptions = {}): Promise<ChangeResults> {
    const frames = await this.servers();
    const selected = selectFrames(frames, options).filter(
      (f) => options.id !== undefined || versionOn(f, kind, pkg) !== undefined,
    );
    if (selected.length === 0)
      throw new KaelError('PACKAGE_NOT_FOUND', `no selected frame has ${kind} package "${pkg}"`);
    return this.toChangeResults(
      await this.sendTo(
        '_rollback_pkg',
        { pkg, pkg_type: kind },
        selected.map((f) => f.id),
        waitMs(options, 120_000),
      ),
      selected,
      kind,
      pkg,
    );
  }

  /**
   * Restarts the packages of a kind (fresh code from disk) on every frame, frame `id`, or all but
   * `notId`. A frame where a package did not come back up answers `{ ok: false, error }` with the
   * package error's code, a message naming the frame and the packages, and `error.details.packages`:
   * the frame's packages of that kind with their state, version and reason; a frame where all came
   * up answers `{ ok: true, value: RestartResult }`.
   * @param options.timeoutMs @default 120000
   * @throws KaelError `CLIENT_CLOSED` when the client was closed meanwhile.
   */
  async restart(kind: PackageKind, options: ChangeOptions = {}): Promise<CommandResponse> {
    const response = await this.commandAll(
      kind === 'service' ? '_restart_service' : '_restart_crontab',
      {},
      {
        ...options,
        timeoutMs: waitMs(options, 120_000),
      },
    );
    const out: CommandResponse = {};
    for (const [frame, r] of Object.entries(response)) {
      const value = r.ok ? (r.value as Partial<RestartResult> | undefined) : undefined;
      out[frame] =
        value?.ok === false
          ? {
              ok: false,
              error: {
                code: value.error?.code ?? 'PACKAGE_INVALID',
                name: 'KaelError',
                message: value.error?.message ?? `frame ${frame}: a ${kind} package did not come back up`,
                details: { packages: value.packages ?? [] },
              },
            }
          : r;
    }
    return out;
  }

  /** `update('service', …)`: the seed's `update_service`. @throws KaelError as {@link update}. */
  async updateService(pkg: string, options: ChangeOptions = {}): Promise<ChangeResults> {
    return this.update('service', pkg, options);
  }

  /** `update('crontab', …)`: the seed's `update_crontab`. @throws KaelError as {@link update}. */
  async updateCrontab(pkg: string, options: ChangeOptions = {}): Promise<ChangeResults> {
    return this.update('crontab', pkg, options);
  }

  /** `install('service', …)`: the seed's `install_service`. @throws KaelError as {@link install}. */
  async installService(
    pkg: string,
    installPath: string,
    options: ChangeOptions = {},
  ): Promise<ChangeResults> {
    return this.install('service', pkg, installPath, options);
  }

  /** `install('crontab', …)`: the seed's `install_crontab`. @throws KaelError as {@link install}. */
  async installCrontab(
    pkg: string,
    installPath: string,
    options: ChangeOptions = {},
  ): Promise<ChangeResults> {
    return this.install('crontab', pkg, installPath, options);
  }

  /** `rollback('service', …)`. @throws KaelError as {@link rollback}. */
  async rollbackService(pkg: string, options: ChangeOptions = {}): Promise<ChangeResults> {
    return this.rollback('service', pkg, options);
  }

  /** `rollback('crontab', …)`. @throws KaelError as {@link rollback}. */
  async rollbackCrontab(pkg: string, options: ChangeOptions = {}): Promise<ChangeResults> {
    return this.rollback('crontab', pkg, options);
  }

  /** @deprecated use {@link restart}. */
  async restartServers(kind: PackageKind, options: ChangeOptions = {}): Promise<CommandResponse> {
    return this.restart(kind, options);
  }

  /** Releases what the management half holds. */
  async close(): Promise<void> {
    this.view.stop();
    for (const p of this.pending.values()) p.cancel();
    this.pending.clear();
    await this.requests.close();
  }

  private async deploy(
    op: 'install' | 'update',
    kind: PackageKind,
    pkg: string,
    installPath: string | undefined,
    options: ChangeOptions,
  ): Promise<ChangeResults> {
    const plan = planDeploy(await this.servers(), op, kind, pkg, options);
    if (plan.targets.length === 0) {
      throw new KaelError(
        op === 'install' ? 'PACKAGE_EXISTS' : 'PACKAGE_NOT_FOUND',
        op === 'install'
          ? `every selected frame already has ${kind} package "${pkg}"; use update`
          : `no selected frame has ${kind} package "${pkg}"; use install`,
      );
    }
    const kwargs: Record<string, unknown> = {
      pkg,
      pkg_type: kind,
      version: plan.version,
      source: plan.source.id,
      sha256: await this.archiveDigest(plan.source.id, kind, pkg, plan.version, waitMs(options, 120_000)),
    };
    if (installPath !== undefined) kwargs['install_path'] = installPath;
    const fn = op === 'install' ? '_install_pkg' : '_update_pkg';
    return this.toChangeResults(
      await this.sendTo(
        fn,
        kwargs,
        plan.targets.map((f) => f.id),
        waitMs(options, 120_000),
      ),
      plan.targets,
      kind,
      pkg,
    );
  }

  /**
   * The sha256 of the archive frame `source` would export for package `pkg`, asked before signing
   * so the signature names the exact bytes every target must receive.
   * @throws KaelError `UNAUTHORIZED` when the source refuses (unsigned client, wrong key);
   * `VERSION_NOT_FOUND` when it no longer holds `version`; the source's code otherwise.
   */
  private async archiveDigest(
    source: string,
    kind: PackageKind,
    pkg: string,
    version: string,
    timeoutMs: number,
  ): Promise<string> {
    const response = await this.getResponse(
      await this.command('_export_pkg', { pkg, pkg_type: kind, digest_only: true }, { id: source }),
      { timeoutMs },
    );
    const reply = response[source];
    if (reply === undefined || !reply.ok) {
      const error = reply?.error ?? { code: 'COMMAND_TIMEOUT', message: 'no answer' };
      throw new KaelError(
        DIGEST_ERRORS.has(error.code) ? (error.code as KaelErrorCode) : 'COMMAND_FAILED',
        `cannot learn the archive digest of ${kind} package "${pkg}" from frame ${source}: ${error.message}`,
      );
    }
    const value = reply.value as { version?: unknown; sha256?: unknown };
    if (typeof value.version !== 'string' || !sameVersion(value.version, version))
      throw new KaelError(
        'VERSION_NOT_FOUND',
        `frame ${source} now holds ${pkg} ${String(value.version)}, not ${version}`,
      );
    if (typeof value.sha256 !== 'string')
      throw new KaelError('COMMAND_FAILED', `frame ${source} answered the digest query without a sha256`);
    return value.sha256;
  }

  private async sendTo(
    fn: string,
    kwargs: Record<string, unknown>,
    ids: string[],
    timeoutMs: number,
  ): Promise<CommandResponse> {
    // One targeted command per frame (not a fan-out with notId): a frame that is declaring its
    // command queue again after a broker node loss gets it once the queue is back, instead of
    // missing it and timing out.
    const commands = await Promise.all(ids.map((id) => this.command(fn, kwargs, { id })));
    const responses = await Promise.all(commands.map((c) => this.getResponse(c, { timeoutMs })));
    return Object.assign({}, ...responses) as CommandResponse;
  }

  private toChangeResults(
    response: CommandResponse,
    targets: readonly FrameSnapshot[],
    kind: PackageKind,
    pkg: string,
  ): ChangeResults {
    const out: ChangeResults = {};
    for (const [id, r] of Object.entries(response)) {
      const before =
        versionOn(
          targets.find((f) => f.id === id) ?? ({ packages: [] } as unknown as FrameSnapshot),
          kind,
          pkg,
        ) ?? null;
      out[id] = r.ok
        ? (r.value as DeployResult)
        : { ok: false, from: before, to: null, error: { code: r.error.code, message: r.error.message } };
    }
    return out;
  }

  private async startView(): Promise<void> {
    // Targeted commands go to the direct command exchange: it must exist before the first one.
    await this.broker.onReady(async (conn) => {
      await ensureExchange(conn, names.commandDirectExchange(this.namespace), 'direct', this.logger);
    });
    await this.view.start();
    // Ask every frame to answer now instead of waiting for its next heartbeat.
    const handle = await this.requests.request(
      names.commandExchange(this.namespace),
      '',
      { fn: '_ping', kwargs: {} },
      { timeoutMs: 5000, mandatory: false, label: '_ping' },
      (envelope) => {
        if (envelope.ok) this.view.learn(envelope.value as FrameSnapshot);
        return false;
      },
    );
    void bestEffort(handle.done, this.logger, 'ping the frames');
    await new Promise((r) => setTimeout(r, 300));
    handle.cancel();
  }
}
