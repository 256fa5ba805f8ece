import type { FrameSnapshot } from '../model/frame-snapshot.js';

/** What frames publish on the membership exchange. */
export interface Announcement {
  /** `hello` on start and change and at every heartbeat; `goodbye` on a clean stop. */
  type: 'hello' | 'goodbye';
  frame: FrameSnapshot;
  /** Increases with every announcement of this frame (late duplicates are ignored). */
  seq: number;
}

/** Exchange options of the membership and command exchanges (identical everywhere). */
export const FANOUT_OPTIONS = { durable: false, autoDelete: false } as const;
