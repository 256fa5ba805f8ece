/** A call moved to its namespace's dead-letter queue, as `kael dlq` and `client.deadLetters()` show it. */
export interface DeadLetter {
  /** The microservice called (`<service_base_name>__<function>`). */
  function: string;
  /** Why it was dead-lettered: code and message (e.g. `WORKER_CRASHED`). */
  error: { code: string; message: string };
  /** When it was dead-lettered (ISO). */
  deadAt: string;
  /** The caller's correlation id, when the call had one. */
  correlationId?: string;
  /** Worker deaths the call was in flight at. */
  workerDeaths: number;
  /** The frame that dead-lettered it. */
  frameId?: string;
  /** Size of the request body in bytes (the body itself stays in the queue). */
  bytes: number;
}

/** What `client.deadLetters()` answers: the queue's depth and its first messages. */
export interface DeadLetterReport {
  /** The dead-letter queue (`kael.<ns>.dlq`). */
  queue: string;
  /** Messages in the queue. */
  count: number;
  /** The first messages, oldest first (at most the number asked for). */
  messages: DeadLetter[];
}
