import type { BrokerConnection } from '../broker/connection.js';
import type { Logger } from '../util/logger.js';

/**
 * The management half of a client: membership view and the seed's commands. The frame client
 * extends it with service calls.
 */
export class ClusterClient {
  constructor(
    protected readonly broker: BrokerConnection,
    /** The namespace this client talks to. */
    readonly namespace: string,
    protected readonly logger: Logger,
  ) {}

  /** Releases what the management half holds. */
  async close(): Promise<void> {
    await Promise.resolve();
  }
}
