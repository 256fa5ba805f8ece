/** Result of an install, update or rollback on one frame. */
export interface DeployResult {
  ok: boolean;
  /** Version before (null for an install). */
  from: string | null;
  /** Version after. */
  to: string | null;
  /** True when the frame already had the version (nothing changed). */
  unchanged?: boolean;
}
