import { EventEmitter } from 'node:events';
import type { ServiceProxy } from '@kael/runtime/client/frame-client';
import type { FrameSnapshot } from '@kael/runtime/model/frame-snapshot';
import type { NamespaceState } from '../tree/tree-model.js';

/** Opens a client on a namespace (the real one is `connectClient` from the runtime). */
export type ClientFactory = (namespace: string) => Promise<ServiceProxy>;

interface Session {
  namespace: string;
  client: ServiceProxy | undefined;
  frames: FrameSnapshot[];
  error: string | undefined;
  retry: NodeJS.Timeout | undefined;
  unwatch: (() => void) | undefined;
}

/**
 * One live client per shown namespace. Frames come from the runtime's membership events (no
 * polling); a namespace whose broker cannot be reached shows its error and reconnects by itself.
 *
 * Event: `changed` after any frame or connection change.
 */
export class NamespaceSessions extends EventEmitter {
  private readonly sessions = new Map<string, Session>();
  private disposed = false;

  constructor(
    private readonly factory: ClientFactory,
    /** Delay before reconnecting after a failure. @default 5000 */
    private readonly retryMs = 5000,
  ) {
    super();
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
    return [...this.sessions.values()].map((s) => ({
      namespace: s.namespace,
      frames: s.frames,
      ...(s.error === undefined ? {} : { error: s.error }),
    }));
  }

  /** The connected client of a namespace. @throws Error naming the namespace when it is not connected. */
  client(namespace: string): ServiceProxy {
    const s = this.sessions.get(namespace);
    if (s?.client === undefined)
      throw new Error(
        `namespace ${namespace} is not connected${s?.error === undefined ? '' : `: ${s.error}`}`,
      );
    return s.client;
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

  /** Closes every client. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => this.close(s)));
  }

  private async open(namespace: string): Promise<void> {
    const s: Session = {
      namespace,
      client: undefined,
      frames: [],
      error: undefined,
      retry: undefined,
      unwatch: undefined,
    };
    this.sessions.set(namespace, s);
    await this.connect(s);
  }

  private async connect(s: Session): Promise<void> {
    if (s.retry !== undefined) clearTimeout(s.retry);
    s.retry = undefined;
    try {
      const client = await this.factory(s.namespace);
      if (this.disposed || this.sessions.get(s.namespace) !== s) {
        await client.close();
        return;
      }
      s.client = client;
      s.error = undefined;
      s.unwatch = client.watch((frames) => {
        s.frames = frames;
        this.emit('changed');
      });
    } catch (e) {
      s.error = describeError(e);
      s.retry = setTimeout(() => void this.connect(s), this.retryMs);
      s.retry.unref();
    }
    this.emit('changed');
  }

  private async close(s: Session): Promise<void> {
    if (s.retry !== undefined) clearTimeout(s.retry);
    s.unwatch?.();
    await s.client?.close().catch(() => undefined);
    s.client = undefined;
  }
}

function describeError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err.message?.includes('ACCESS_REFUSED') === true || err.message?.includes('403') === true)
    return 'RabbitMQ refused the credentials (check kael.brokerUrl and the password)';
  if (err.code === 'BROKER_UNAVAILABLE') return `RabbitMQ is unreachable: ${err.message ?? ''}`;
  return err.message ?? String(e);
}
