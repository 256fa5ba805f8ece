/** The signature a changing command carries (see runtime/PROTOCOL.md, "Signing"). */
export interface CommandAuth {
  /** Version of the signed text's layout (1). */
  v: number;
  /** Which key signed: the first 8 hex characters of sha256(key). */
  kid: string;
  /** Milliseconds since the epoch when it was signed. */
  ts: number;
  /** Random, used once. */
  nonce: string;
  /** Hex HMAC-SHA256 over the canonical signed text. */
  sig: string;
}

/** A management command as it travels to frames. */
export interface CommandMessage {
  /** Command name, e.g. `_get_pkg_version`. */
  fn: string;
  kwargs: Record<string, unknown>;
  /** The one frame this command is for (targeted commands); signed, so it cannot be re-addressed. */
  id?: string;
  /** Frames that must ignore this command (the seed's not_id); signed. */
  notId?: string[];
  /**
   * The same on every copy of one command (a client sends a changing command again when its frame
   * has not answered, as it may have been lost with a broker node); signed. A frame runs a changing
   * command once per request id and answers a copy with the first run's result.
   */
  requestId?: string;
  /** Signature of a changing command. */
  auth?: CommandAuth;
}
