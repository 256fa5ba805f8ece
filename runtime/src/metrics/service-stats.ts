import { emptyServiceCounters, LATENCY_BUCKETS_S } from '../model/metrics-snapshot.js';
import type { ServiceCounters } from '../model/metrics-snapshot.js';

/** The bucket bounds in milliseconds (latencies are measured in ms; no division per call). */
const BOUNDS_MS = LATENCY_BUCKETS_S.map((s) => s * 1000);

/**
 * The counters of the calls one process serves. Plain numbers on the hot path (a map lookup, two
 * increments and a short bucket scan per call); the frame asks for {@link snapshot} when it is scraped
 * or asked, and turns the sum of its workers' snapshots into Prometheus metrics.
 */
export class ServiceStats {
  private readonly byService = new Map<string, ServiceCounters>();

  /** A call to `service` starts: counted in flight. Pass what it returns to {@link end}. */
  begin(service: string): ServiceCounters {
    const c = this.of(service);
    c.inflight++;
    return c;
  }

  /** The call counted by `c` that began at `started` (performance.now()) ended; `errorCode` set when it failed. */
  end(c: ServiceCounters, started: number, errorCode: string | undefined): void {
    const ms = performance.now() - started;
    c.inflight--;
    c.calls++;
    c.sumSeconds += ms / 1000;
    let i = 0;
    while (i < BOUNDS_MS.length && ms > (BOUNDS_MS[i] as number)) i++;
    c.buckets[i] = (c.buckets[i] ?? 0) + 1;
    if (errorCode !== undefined) c.errors[errorCode] = (c.errors[errorCode] ?? 0) + 1;
  }

  /** A copy of every service's counters. */
  snapshot(): Record<string, ServiceCounters> {
    const out: Record<string, ServiceCounters> = {};
    for (const [name, c] of this.byService)
      out[name] = { ...c, errors: { ...c.errors }, buckets: [...c.buckets] };
    return out;
  }

  /** The counters of `service` (made on first use). */
  of(service: string): ServiceCounters {
    let c = this.byService.get(service);
    if (c === undefined) {
      c = emptyServiceCounters();
      this.byService.set(service, c);
    }
    return c;
  }
}
