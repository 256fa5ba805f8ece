import type { FrameClient } from '@kael/runtime/client/frame-client';

/**
 * The part of the runtime's client the extension uses. The real one is `connectClient(…)`; unit
 * tests pass a fake with the same shape, so flows and sessions run without a broker.
 */
export type KaelClient = Pick<
  FrameClient,
  | 'namespace'
  | 'servers'
  | 'watch'
  | 'callDetailed'
  | 'update'
  | 'install'
  | 'rollback'
  | 'restart'
  | 'commandAll'
  | 'getAllCrontabStatus'
  | 'close'
> & {
  /** Runtime client events: `frame-seen`, `connection-lost`, `connection-ready`. */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
};

/** Opens a client on a namespace with the current connection settings and admin key. */
export type ClientFactory = (namespace: string) => Promise<KaelClient>;
