/**
 * Every broker resource kael declares is named here, so the protocol document, the runtime and
 * foreign clients agree. All names start with `kael.<namespace>.`.
 */
export const names = {
  /** Queue of one published function; every frame serving it consumes from it. */
  serviceQueue: (ns: string, service: string): string => `kael.${ns}.svc.${service}`,
  /**
   * Direct exchange of service calls: each service queue is bound to it with its own name as the
   * routing key, so a broker user allowed to write only this exchange can reach service queues and
   * nothing else. A caller that may write to the default exchange publishes there instead (the same
   * queues, routed sooner).
   */
  callExchange: (ns: string): string => `kael.${ns}.call`,
  /** Prefix of every service queue of a namespace. */
  servicePrefix: (ns: string): string => `kael.${ns}.svc.`,
  /** Fanout exchange of management commands (each frame binds its own queue). */
  commandExchange: (ns: string): string => `kael.${ns}.cmd`,
  /** Direct exchange of commands for one frame: each frame binds its own queue with its id as the routing key. */
  commandDirectExchange: (ns: string): string => `kael.${ns}.cmd.direct`,
  /** A frame's own queue: targeted commands and archive fetches. */
  frameQueue: (ns: string, frameId: string): string => `kael.${ns}.frame.${frameId}`,
  /**
   * Queue of calls pinned to one frame: only that frame's workers consume it; the service name is in
   * the `kael-service` header.
   */
  frameCalls: (ns: string, frameId: string): string => `kael.${ns}.frame.${frameId}.calls`,
  /**
   * Dead-letter queue of a namespace: calls that were in flight at too many worker deaths (poison
   * calls), kept for `kael dlq`. Reached through the default exchange.
   */
  deadLetters: (ns: string): string => `kael.${ns}.dlq`,
  /** Fanout exchange of membership announcements. */
  membershipExchange: (ns: string): string => `kael.${ns}.members`,
  /** Stream of a crontab's log: holds (takeovers), claimed ticks, releases. */
  crontabLog: (ns: string, crontab: string): string => `kael.${ns}.cron.${crontab}.log`,
  /** Fanout exchange of the crontab holder's heartbeats. */
  crontabBeat: (ns: string, crontab: string): string => `kael.${ns}.cron.${crontab}.beat`,
  /** Exclusive queue that exists while a frame's connection does (standbys probe the holder's). */
  crontabPresence: (ns: string, frameId: string): string => `kael.${ns}.cron-presence.${frameId}`,
  /** Prefix of every resource of a namespace (cleanup, listing). */
  namespacePrefix: (ns: string): string => `kael.${ns}.`,
} as const;
