import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { connectClient } from '../client/frame-client.js';
import type { ServiceProxy } from '../client/frame-client.js';
import { deleteNamespaceQueues } from '../demo/cleanup.js';
import { WorkFrame } from '../frame/work-frame.js';
import { createLogger } from '../util/logger.js';
import { makeFrameDir } from './frame-process.js';
import type { PackageFiles } from './frame-process.js';

/** A frame started in the benchmark's process (its workers are child processes) and a client of it. */
export interface BenchFrame {
  frame: WorkFrame;
  client: ServiceProxy;
  /** Stops both, deletes the namespace's queues and the generated frame folder. */
  close(): Promise<void>;
}

/** Starts a frame serving `packages` (written to a temporary folder) in a fresh namespace. */
export async function startBenchFrame(
  auri: string,
  packages: Record<string, PackageFiles>,
  options: { processes?: number } = {},
): Promise<BenchFrame> {
  const conf = await makeFrameDir(packages);
  const namespace = `bench-${randomBytes(3).toString('hex')}`;
  const frame = new WorkFrame({
    name: namespace,
    auri,
    serviceGroupConf: conf,
    logger: createLogger('frame', 'warn'),
    ...(options.processes === undefined ? {} : { processes: options.processes }),
  });
  await frame.start();
  const client = await connectClient({ name: namespace, auri });
  return {
    frame,
    client,
    close: async () => {
      await client.close();
      await frame.stop();
      await deleteNamespaceQueues(
        auri,
        namespace,
        frame.snapshot().packages.flatMap((p) => p.services ?? []),
      );
      await fsp.rm(path.dirname(conf), { recursive: true, force: true });
    },
  };
}
