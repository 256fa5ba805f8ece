/** How a crontab's holder keeps its lease (see cron/crontab-lease.ts). */
export interface LeaseTimings {
  /** How often the holder sends a heartbeat. @default 500 */
  heartbeatMs: number;
  /** A standby takes over when the holder sent no heartbeat for this long. @default 2000 */
  leaseMs: number;
}

/** Default {@link LeaseTimings}: a silent holder is replaced within about 2 s. */
export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { heartbeatMs: 500, leaseMs: 2000 };
