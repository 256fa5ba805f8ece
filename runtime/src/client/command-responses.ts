import type { ErrorData } from '../errors.js';
import type { ReplyEnvelope } from '../rpc/envelope.js';

/** Each targeted frame's answer to a command: `{ ok: true, value }` or `{ ok: false, error }`. */
export type CommandResponse = Record<string, ReplyEnvelope>;

/** The frames of a response that did not answer in time (their error code is `COMMAND_TIMEOUT`). */
export function missingFrames(response: CommandResponse): string[] {
  return Object.entries(response)
    .filter(([, r]) => !r.ok && r.error.code === 'COMMAND_TIMEOUT')
    .map(([id]) => id);
}

/**
 * Collects the replies of one fan-out command and settles as soon as every targeted frame answered
 * (or went away), or at the caller's timeout with the silent frames marked `COMMAND_TIMEOUT`.
 */
export class PendingCommand {
  readonly replies: CommandResponse = {};
  private waiters: (() => void)[] = [];

  /** Stops listening for replies (set once the request is published). */
  cancel: () => void = () => undefined;

  constructor(
    readonly fn: string,
    /** Frames expected to answer. */
    readonly targets: Set<string>,
  ) {}

  /** True when every target answered or was written off. */
  get complete(): boolean {
    for (const t of this.targets) if (!(t in this.replies)) return false;
    return true;
  }

  /** Records a reply; returns true when the command is complete. */
  add(frameId: string, envelope: ReplyEnvelope): boolean {
    this.replies[frameId] = envelope;
    if (!this.targets.has(frameId)) this.targets.add(frameId);
    return this.settleIfComplete();
  }

  /** Marks a frame as not answering (it left the namespace, or is unknown). */
  writeOff(frameId: string, error: ErrorData): boolean {
    if (this.targets.has(frameId) && !(frameId in this.replies)) this.replies[frameId] = { ok: false, error };
    return this.settleIfComplete();
  }

  /** Waits until complete or `timeoutMs`, then returns every target's answer. */
  async wait(timeoutMs: number): Promise<CommandResponse> {
    if (!this.complete) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    for (const t of this.targets) {
      if (!(t in this.replies))
        this.replies[t] = {
          ok: false,
          error: {
            code: 'COMMAND_TIMEOUT',
            name: 'KaelError',
            message: `frame ${t} did not answer ${this.fn} within ${timeoutMs} ms`,
          },
        };
    }
    return { ...this.replies };
  }

  private settleIfComplete(): boolean {
    if (!this.complete) return false;
    for (const w of this.waiters.splice(0)) w();
    return true;
  }
}
