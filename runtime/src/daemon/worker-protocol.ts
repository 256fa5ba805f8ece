import type { ServiceSetting } from '../model/package-setting.js';
import type { MessageLimits } from '../model/message-limits.js';
import type { ErrorData } from '../errors.js';

/** Sent by the frame to a service worker process. */
export type ToWorker =
  | {
      type: 'init';
      auri: string;
      namespace: string;
      /** The frame's id: replies carry it as `appId`, and the worker serves the frame's pinned-call queue. */
      frameId: string;
      concurrency: number;
      packages: { dir: string; setting: ServiceSetting }[];
      /** Size limits of requests and replies. */
      limits: MessageLimits;
      /** Worker deaths a call may be in flight at before it is dead-lettered. */
      maxWorkerDeaths: number;
      /** Send stacks to callers (else they are only logged). */
      debugErrors: boolean;
    }
  | { type: 'drain' };

/** Sent by a service worker process to the frame. */
export type FromWorker =
  /** About to load the package in `dir` (the frame times the load and blames it if the worker dies). */
  | { type: 'loading'; dir: string }
  /** Code loaded; `error` set for each package that failed. */
  | { type: 'loaded'; results: { dir: string; error?: ErrorData }[] }
  /** Consuming every queue: the worker takes calls now (sent again after a channel came back). */
  | { type: 'consuming' }
  /** Lost its channel or a consumer and is getting it back: it takes no calls meanwhile. */
  | { type: 'paused'; reason: string }
  /** Finished in-flight calls after a drain; about to exit. */
  | { type: 'drained' };
