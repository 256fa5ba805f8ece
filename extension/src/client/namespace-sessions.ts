import { EventEmitter } from 'node:events';
import { KaelError } from '@kael/runtime/errors';
import type { FrameSnapshot } from '@kael/runtime/model/frame-snapshot';
import type { Log } from '../host/log.js';
import { isStale, trackClaims } from '../tree/liveness.js';
import type { LiveFrame } from '../tree/liveness.js';
import type { NamespaceState } from '../tree/tree-model.js';
import { describeConnectionError } from './connection-problem.js';
import type { ConnectionProblem } from './connection-problem.js';
import { readDeadLetters } from './dead-letters.js';
import type { DeadLetterReader } from './dead-letters.js';
import type { ClientFactory, KaelClient } from './kael-client.js';

interface Session {
  namespace: string;
  client: KaelClient | undefined;
  connection: NamespaceState['connection'];
  frames: Map<string, LiveFrame>;
  problem: ConnectionProblem | undefined;
  connectedSinceMs: number | undefined;
  retry: NodeJS.Timeout | undefined;
  detach: (() => void) | undefined;
  /** Messages in the namespace's dead-letter queue, when the client can tell. */
  deadLetters: number | undefined;
  /** Bumped on every (re)open: events of an older client are ignored. */
  generation: number;
}

/** Options of {@link NamespaceSessions}. */
export interface SessionOptions {
  /** Delay before reconnecting after a failed connect. @default 5000 */
  retryMs?: number;
  /** Where connections, reconnects and their errors are logged. */
  log?: Log;
  /** The broker URL without its password (named in problems and tooltips). */
  brokerUrl?: () => string | undefined;
  /** How often staleness (a missed heartbeat) is checked. @default 200 */
  livenessCheckMs?: number;
  /** Reads a namespace's dead-letter count. @default {@link readDeadLetters} (the client's `deadLetters()`, when it has one) */
  deadLetters?: DeadLetterReader;
  /** How often the dead-letter count is read while connected. @default 15000 */
  deadLetterPollMs?: number;
}

/**
 * One live client per shown namespace. Frames come from the runtime's membership events (no
 * polling); a frame that misses a heartbeat turns stale at once (the tree greys it), and is removed
 * when the membership view drops it. A namespace whose broker cannot be reached shows why and
 * reconnects by itself.
 *
 * Event: `changed` after any frame, liveness or connection change.
 */
export class NamespaceSessions extends EventEmitter {
  private readonly sessions = new Map<string, Session>();
  private disposed = false;
  private readonly retryMs: number;
  private readonly log: Log | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private staleKey = '';

  constructor(
    private readonly factory: ClientFactory,
    private readonly options: SessionOptions = {},
  ) {
    super();
    this.retryMs = options.retryMs ?? 5000;
    this.log = options.log;
  }

  /** Shows exactly these namespaces (connecting new ones, closing dropped ones). */
  async show(namespaces: readonly string[]): Promise<void> {
    for (const [ns, s] of this.sessions) {
      if (!namespaces.includes(ns)) {
        this.sessions.delete(ns);
        await this.close(s);
      }
    }
    await Promise.all(namespaces.filter((ns) => !this.sessions.has(ns)).map((ns) => this.open(ns)));
    this.emit('changed');
  }

  /** What the tree shows. */
  states(): NamespaceState[] {
    const url = this.options.brokerUrl?.();
    return [...this.sessions.values()].map((s) => ({
      namespace: s.namespace,
      connection: s.connection,
      frames: [...s.frames.values()],
      ...(s.problem === undefined ? {} : { problem: s.problem }),
      ...(url === undefined ? {} : { brokerUrl: url }),
      ...(s.connectedSinceMs === undefined ? {} : { connectedSinceMs: s.connectedSinceMs }),
      ...(s.deadLetters === undefined ? {} : { deadLetters: s.deadLetters }),
    }));
  }

  /**
   * The connected client of a namespace.
   * @throws KaelError `BROKER_UNAVAILABLE` naming the namespace and the reason when it is not connected.
   */
  client(namespace: string): KaelClient {
    const s = this.sessions.get(namespace);
    if (s?.client === undefined)
      throw new KaelError(
        'BROKER_UNAVAILABLE',
        `namespace ${namespace} is not connected${s?.problem === undefined ? '' : `: ${s.problem.summary}`}`,
      );
    return s.client;
  }

  /** The frames of a namespace as the tree shows them (empty when not connected). */
  frames(namespace: string): FrameSnapshot[] {
    return [...(this.sessions.get(namespace)?.frames.values() ?? [])].map((f) => f.snapshot);
  }

  /** Namespaces shown now. */
  namespaces(): string[] {
    return [...this.sessions.keys()];
  }

  /** Reconnects every namespace in error now. */
  async retryAll(): Promise<void> {
    await Promise.all(
      [...this.sessions.values()].filter((s) => s.client === undefined).map((s) => this.connect(s)),
    );
  }

  /** Closes and reopens one namespace (or all): new settings, password or admin key. */
  async reconnect(namespace?: string): Promise<void> {
    const chosen = [...this.sessions.values()].filter(
      (s) => namespace === undefined || s.namespace === namespace,
    );
    await Promise.all(
      chosen.map(async (s) => {
        await this.close(s);
        s.frames.clear();
        s.connection = 'connecting';
        s.problem = undefined;
        this.emit('changed');
        await this.connect(s);
      }),
    );
  }

  /** Closes every client. */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.ticker !== undefined) clearInterval(this.ticker);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => this.close(s)));
  }

  private async open(namespace: string): Promise<void> {
    const s: Session = {
      namespace,
      client: undefined,
      connection: 'connecting',
      frames: new Map(),
      problem: undefined,
      connectedSinceMs: undefined,
      retry: undefined,
      detach: undefined,
      deadLetters: undefined,
      generation: 0,
    };
    this.sessions.set(namespace, s);
    this.startTicker();
    await this.connect(s);
  }

  private async connect(s: Session): Promise<void> {
    if (s.retry !== undefined) clearTimeout(s.retry);
    s.retry = undefined;
    const generation = ++s.generation;
    const url = this.options.brokerUrl?.();
    const started = Date.now();
    try {
      const client = await this.factory(s.namespace);
      if (this.disposed || this.sessions.get(s.namespace) !== s || s.generation !== generation) {
        await client.close();
        return;
      }
      s.client = client;
      s.problem = undefined;
      s.connection = 'connected';
      s.connectedSinceMs = Date.now();
      s.detach = this.attach(s, client, generation);
      this.log?.info('connected', { namespace: s.namespace, broker: url, ms: Date.now() - started });
    } catch (e) {
      if (s.generation !== generation) return;
      const problem = describeConnectionError(e, url);
      const changed = s.problem?.summary !== problem.summary;
      s.problem = problem;
      s.connection = 'error';
      // The first failure and every change of reason are errors; the same reason again is noise.
      if (changed)
        this.log?.error('cannot connect', {
          namespace: s.namespace,
          broker: url,
          code: problem.code,
          error: problem.summary,
        });
      else this.log?.debug('still cannot connect', { namespace: s.namespace, code: problem.code });
      if (!this.disposed) {
        s.retry = setTimeout(() => void this.connect(s), this.retryMs);
        s.retry.unref();
      }
    }
    this.emit('changed');
  }

  private attach(s: Session, client: KaelClient, generation: number): () => void {
    const mine = (): boolean => s.generation === generation && s.client === client;
    const onFrames = (list: FrameSnapshot[]): void => {
      if (!mine()) return;
      const now = Date.now();
      const next = new Map<string, LiveFrame>();
      for (const f of list) {
        const known = s.frames.get(f.id);
        if (known === undefined)
          this.log?.info('frame up', { namespace: s.namespace, frame: f.id, host: f.host, pid: f.pid });
        next.set(f.id, {
          snapshot: f,
          lastSeenMs: known?.lastSeenMs ?? now,
          activeSince: trackClaims(known?.activeSince ?? {}, f, now),
        });
      }
      for (const id of s.frames.keys())
        if (!next.has(id)) this.log?.info('frame gone', { namespace: s.namespace, frame: id });
      s.frames = next;
      this.emit('changed');
    };
    const onSeen = (id: unknown): void => {
      const f = mine() && typeof id === 'string' ? s.frames.get(id) : undefined;
      if (f === undefined) return;
      const wasStale = isStale(f, Date.now());
      f.lastSeenMs = Date.now();
      if (wasStale) this.emit('changed');
    };
    const onLost = (err: unknown): void => {
      if (!mine()) return;
      s.connection = 'reconnecting';
      this.log?.warn('connection lost; reconnecting', {
        namespace: s.namespace,
        error: err instanceof Error ? err.message : undefined,
      });
      this.emit('changed');
    };
    const onReady = (): void => {
      if (!mine()) return;
      s.connection = 'connected';
      s.connectedSinceMs = Date.now();
      this.log?.info('reconnected', { namespace: s.namespace });
      this.emit('changed');
    };
    const unwatch = client.watch(onFrames);
    const stopDeadLetters = this.pollDeadLetters(s, client, mine);
    client.on('frame-seen', onSeen);
    client.on('connection-lost', onLost);
    client.on('connection-ready', onReady);
    return () => {
      unwatch();
      stopDeadLetters();
      client.off('frame-seen', onSeen);
      client.off('connection-lost', onLost);
      client.off('connection-ready', onReady);
    };
  }

  /**
   * Reads the dead-letter count now and then every `deadLetterPollMs` (nothing announces it). A
   * client that cannot tell is asked once; a failed read is logged once per reason and retried.
   * @returns the function that stops reading.
   */
  private pollDeadLetters(s: Session, client: KaelClient, mine: () => boolean): () => void {
    const read = this.options.deadLetters ?? readDeadLetters;
    let timer: NodeJS.Timeout | undefined;
    let lastError: string | undefined;
    let stopped = false;
    const tick = async (): Promise<void> => {
      try {
        const count = await read(client);
        lastError = undefined;
        if (stopped || !mine()) return;
        if (count !== s.deadLetters) {
          s.deadLetters = count;
          this.emit('changed');
        }
        if (count === undefined) return;
      } catch (e) {
        const err = e as { code?: unknown; message?: unknown };
        const message = typeof err.message === 'string' ? err.message : String(e);
        if (message !== lastError)
          this.log?.warn('cannot read the dead-letter count', {
            namespace: s.namespace,
            code: typeof err.code === 'string' ? err.code : undefined,
            error: message,
          });
        lastError = message;
      }
      if (stopped) return;
      timer = setTimeout(() => void tick(), this.options.deadLetterPollMs ?? 15_000);
      timer.unref();
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      s.deadLetters = undefined;
    };
  }

  /** Emits `changed` when a frame turns stale (nothing else tells: a missed heartbeat is silence). */
  private startTicker(): void {
    if (this.ticker !== undefined) return;
    this.ticker = setInterval(() => {
      const now = Date.now();
      const key = [...this.sessions.values()]
        .flatMap((s) => [...s.frames.values()].filter((f) => isStale(f, now)).map((f) => f.snapshot.id))
        .join(',');
      if (key !== this.staleKey) {
        this.staleKey = key;
        this.emit('changed');
      }
    }, this.options.livenessCheckMs ?? 200);
    this.ticker.unref();
  }

  private async close(s: Session): Promise<void> {
    s.generation++;
    if (s.retry !== undefined) clearTimeout(s.retry);
    s.retry = undefined;
    s.detach?.();
    s.detach = undefined;
    const client = s.client;
    s.client = undefined;
    s.connectedSinceMs = undefined;
    if (client !== undefined) {
      await client
        .close()
        .catch((e: unknown) =>
          this.log?.warn('closing a client failed', { namespace: s.namespace, error: (e as Error).message }),
        );
      this.log?.info('disconnected', { namespace: s.namespace });
    }
  }
}
