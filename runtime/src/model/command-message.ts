/** The signature a changing command carries when the namespace has an admin key. */
export interface CommandAuth {
  /** Milliseconds since the epoch when it was signed. */
  ts: number;
  nonce: string;
  /** Hex HMAC-SHA256 over the canonical command text. */
  sig: string;
}

/** A management command as it travels to frames. */
export interface CommandMessage {
  /** Command name, e.g. `_get_pkg_version`. */
  fn: string;
  kwargs: Record<string, unknown>;
  /** Frames that must ignore this command (the seed's not_id). */
  notId?: string[];
  /** Signature of a changing command. */
  auth?: CommandAuth;
}
