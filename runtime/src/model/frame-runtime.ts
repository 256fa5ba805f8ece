import type { BrokerConnection } from '../broker/connection.js';
import type { Logger } from '../util/logger.js';
import type { CrontabStatus } from './crontab-status.js';
import type { FrameSnapshot } from './frame-snapshot.js';
import type { PackageRecord } from './package-record.js';
import type { PackageKind } from './package-kind.js';
import type { MessageLimits } from './message-limits.js';

/** Options of a frame after defaults are applied. */
export interface ResolvedFrameOptions {
  /** The broker URLs, comma-separated (one URL for a lone broker). */
  auri: string;
  serviceGroupConf: string;
  processes: number;
  concurrency: number;
  heartbeatMs: number;
  /** How often the holder of a crontab sends a heartbeat. */
  crontabHeartbeatMs: number;
  /** A standby takes a crontab over when its holder sent no heartbeat for this long. */
  crontabLeaseMs: number;
  drainTimeoutMs: number;
  adminKey: string | undefined;
  /** Accept changing commands without a signature (the explicit, logged opt-out). */
  allowUnsignedAdmin: boolean;
  /** Folder every `_install_pkg` path must stay inside (absolute). */
  installRoot: string;
  /** Size limits of the calls the frame serves (options, else frame.yaml, else the defaults). */
  limits: MessageLimits;
  /** How long one package may take to load. */
  packageLoadTimeoutMs: number;
  /** Worker deaths a call may be in flight at before it is dead-lettered. */
  maxWorkerDeaths: number;
  /** Send the stack of a failed call to its caller (else only the frame's log has it). */
  debugErrors: boolean;
}

/**
 * What a frame offers to its parts (service host, crontab host, cluster agent). The parts depend on
 * this interface, not on the WorkFrame class, so each can be built and tested alone.
 */
export interface FrameRuntime {
  /** Stable for the frame's lifetime. */
  readonly id: string;
  readonly namespace: string;
  readonly options: ResolvedFrameOptions;
  readonly broker: BrokerConnection;
  readonly logger: Logger;
  /** Packages as last read from disk (including failed ones). */
  records(): readonly PackageRecord[];
  /** What the frame announces about itself now. */
  snapshot(): FrameSnapshot;
  /** Full crontab state with run history (all crontabs, or the one named). */
  crontabStatus(crontab?: string): CrontabStatus[];
  /** Re-reads frame.yaml and the packages of one kind from disk and restarts that kind's host on them. */
  reload(kind: PackageKind): Promise<void>;
  /** Signals that the snapshot changed (membership re-announces). */
  changed(): void;
}

/** A part of a frame with a lifecycle. */
export interface FrameComponent {
  start(): Promise<void>;
  /** Stops gracefully: in-flight work finishes (bounded by the frame's drain timeout). */
  stop(): Promise<void>;
}
