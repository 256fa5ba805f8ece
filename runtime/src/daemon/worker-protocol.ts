import type { ServiceSetting } from '../model/package-setting.js';
import type { MessageLimits } from '../model/message-limits.js';
import type { ErrorData } from '../errors.js';
import type { ServiceCounters } from '../model/metrics-snapshot.js';

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
      /** How long a Python package may take to import (its interpreter runs beside this process). */
      loadTimeoutMs: number;
      /** Send stacks to callers (else they are only logged). */
      debugErrors: boolean;
    }
  | { type: 'drain' }
  /** Asks for the worker's call counters (answered with a `metrics` message). */
  | { type: 'metrics' };

/** Sent by a service worker process to the frame. */
export type FromWorker =
  /** About to load the package in `dir` (the frame times the load and blames it if the worker dies). */
  | { type: 'loading'; dir: string }
  /**
   * No package code is loading in this process any more: the packages still loading are Python ones,
   * imported by their own interpreters (timed by the worker, reported in `loaded`).
   */
  | { type: 'imported' }
  /** Code loaded; `error` set for each package that failed. */
  | { type: 'loaded'; results: { dir: string; error?: ErrorData }[] }
  /** Consuming every queue: the worker takes calls now (sent again after a channel came back). */
  | { type: 'consuming' }
  /** The worker's call counters since it started (asked for, and once more before `drained`). */
  | { type: 'metrics'; services: Record<string, ServiceCounters> }
  /** Lost its channel or a consumer and is getting it back: it takes no calls meanwhile. */
  | { type: 'paused'; reason: string }
  /** Finished in-flight calls after a drain; about to exit. */
  | { type: 'drained' };
