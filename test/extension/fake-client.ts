import { EventEmitter } from 'node:events';
import type { ChangeResults } from '@kael/runtime/client/cluster-client';
import type { CommandResponse } from '@kael/runtime/client/command-responses';
import type { CallOptions, CallOutcome } from '@kael/runtime/client/frame-client';
import type { CrontabStatus } from '@kael/runtime/model/crontab-status';
import type { FrameSnapshot } from '@kael/runtime/model/frame-snapshot';
import type { PackageKind } from '@kael/runtime/model/package-kind';
import type { KaelClient } from 'kael-vscode/dist/client/kael-client';

/** A recorded client call. */
export interface Sent {
  op: string;
  args: unknown[];
  adminKey: string | undefined;
}

/**
 * A broker-free stand-in for the runtime client: frames are set by the test, every operation is
 * recorded and answered by a handler the test supplies.
 */
export class FakeClient extends EventEmitter implements KaelClient {
  readonly sent: Sent[] = [];
  closed = false;
  handlers: {
    call?: (service: string, args: readonly unknown[], options: CallOptions) => Promise<CallOutcome>;
    change?: (
      op: string,
      args: unknown[],
      adminKey: string | undefined,
    ) => Promise<ChangeResults | CommandResponse>;
    commandAll?: (fn: string, kwargs: Record<string, unknown>, options: unknown) => Promise<CommandResponse>;
    crontabs?: () => Promise<Record<string, CrontabStatus[]>>;
  } = {};

  constructor(
    readonly namespace: string,
    private list: FrameSnapshot[],
    readonly adminKey: string | undefined = undefined,
  ) {
    super();
  }

  /** Replaces the frames and tells watchers (like a membership change). */
  setFrames(list: FrameSnapshot[]): void {
    this.list = list;
    for (const f of list) this.emit('frame-seen', f.id);
    this.emit('frames', list);
  }

  /** A heartbeat of one frame (no change). */
  heartbeat(id: string): void {
    this.emit('frame-seen', id);
  }

  async servers(): Promise<FrameSnapshot[]> {
    return Promise.resolve(this.list);
  }
  watch(listener: (frames: FrameSnapshot[]) => void): () => void {
    this.on('frames', listener);
    queueMicrotask(() => listener(this.list));
    return () => this.off('frames', listener);
  }
  async callDetailed(
    service: string,
    args: readonly unknown[] = [],
    options: CallOptions = {},
  ): Promise<CallOutcome> {
    this.record('call', [service, args, options]);
    if (this.handlers.call === undefined) throw new Error('no call handler');
    return this.handlers.call(service, args, options);
  }
  async update(kind: PackageKind, pkg: string, options = {}): Promise<ChangeResults> {
    return this.change('update', [kind, pkg, options]) as Promise<ChangeResults>;
  }
  async install(kind: PackageKind, pkg: string, path: string, options = {}): Promise<ChangeResults> {
    return this.change('install', [kind, pkg, path, options]) as Promise<ChangeResults>;
  }
  async rollback(kind: PackageKind, pkg: string, options = {}): Promise<ChangeResults> {
    return this.change('rollback', [kind, pkg, options]) as Promise<ChangeResults>;
  }
  async restart(kind: PackageKind, options = {}): Promise<CommandResponse> {
    return this.change('restart', [kind, options]) as Promise<CommandResponse>;
  }
  async commandAll(fn: string, kwargs: Record<string, unknown> = {}, options = {}): Promise<CommandResponse> {
    this.record('commandAll', [fn, kwargs, options]);
    if (this.handlers.commandAll === undefined) throw new Error('no commandAll handler');
    return this.handlers.commandAll(fn, kwargs, options);
  }
  async getAllCrontabStatus(): Promise<Record<string, CrontabStatus[]>> {
    this.record('crontabs', []);
    if (this.handlers.crontabs === undefined) throw new Error('no crontabs handler');
    return this.handlers.crontabs();
  }
  async close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private record(op: string, args: unknown[]): void {
    this.sent.push({ op, args, adminKey: this.adminKey });
  }

  private async change(op: string, args: unknown[]): Promise<ChangeResults | CommandResponse> {
    this.record(op, args);
    if (this.handlers.change === undefined) throw new Error('no change handler');
    return this.handlers.change(op, args, this.adminKey);
  }
}

/** A frame snapshot with a service package `calc` and a crontab `print`. */
export function frame(id: string, over: Partial<FrameSnapshot> = {}): FrameSnapshot {
  return {
    id,
    host: 'vm',
    pid: 100,
    namespace: 'prod',
    startedAt: '2026-11-24T11:58:00Z',
    heartbeatMs: 2000,
    configFile: `/srv/${id}/frame.yaml`,
    packages: [
      {
        kind: 'service',
        name: 'calc',
        version: '1.0',
        dir: `/srv/${id}/calc`,
        services: ['calc__add', 'calc__div'],
      },
      { kind: 'crontab', name: 'print', version: '1.0', dir: `/srv/${id}/print` },
    ],
    crontabs: [
      {
        name: 'print',
        version: '1.0',
        dir: `/srv/${id}/print`,
        active: false,
        entries: [
          { index: 0, schedule: '* * * * *', command: 'write.py', nextRun: '2026-11-24T12:01:00.000Z' },
        ],
      },
    ],
    ...over,
  };
}
