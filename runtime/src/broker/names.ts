/**
 * Every broker resource kael declares is named here, so the protocol document, the runtime and
 * foreign clients agree. All names start with `kael.<namespace>.`.
 */
export const names = {
  /** Queue of one published function; every frame serving it consumes from it. */
  serviceQueue: (ns: string, service: string): string => `kael.${ns}.svc.${service}`,
  /**
   * Direct exchange of service calls: each service queue is bound to it with its own name as the
   * routing key. Callers publish here, never to the default exchange, so a broker user allowed to
   * write only this exchange can reach service queues and nothing else.
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
  /** Fanout exchange of membership announcements. */
  membershipExchange: (ns: string): string => `kael.${ns}.members`,
  /** Exclusive queue whose holder is the active frame of a crontab. */
  crontabLock: (ns: string, crontab: string): string => `kael.${ns}.cron.${crontab}.lock`,
  /** Queue recording claimed ticks of a crontab. */
  crontabClaims: (ns: string, crontab: string): string => `kael.${ns}.cron.${crontab}.claims`,
  /** Prefix of every resource of a namespace (cleanup, listing). */
  namespacePrefix: (ns: string): string => `kael.${ns}.`,
} as const;
