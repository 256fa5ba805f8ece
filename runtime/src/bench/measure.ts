/** Latency percentiles and throughput of an async call, measured the same way for every contender. */
export interface CallStats {
  p50_ms: number;
  p99_ms: number;
  calls_per_s: number;
}

/** The q-quantile of sorted numbers. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

/** Sequential latency over `n` calls after `warmup` calls. */
export async function sequentialLatency(
  call: () => Promise<unknown>,
  n: number,
  warmup: number,
): Promise<{ p50_ms: number; p99_ms: number }> {
  for (let i = 0; i < warmup; i++) await call();
  const samples = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await call();
    samples[i] = Number(process.hrtime.bigint() - t) / 1e6;
  }
  samples.sort((a, b) => a - b);
  return { p50_ms: round(quantile(samples, 0.5)), p99_ms: round(quantile(samples, 0.99)) };
}

/**
 * Sequential latency of several contenders measured call by call in turn (first, second, …, first,
 * …), so that the load of a shared machine falls on each alike: their ratios stay steady even when
 * the absolute numbers move. `n` calls each after `warmup` calls each.
 */
export async function interleavedLatency(
  calls: readonly (() => Promise<unknown>)[],
  n: number,
  warmup: number,
): Promise<{ p50_ms: number; p99_ms: number }[]> {
  for (let i = 0; i < warmup; i++) for (const call of calls) await call();
  const samples = calls.map(() => new Array<number>(n));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < calls.length; c++) {
      const t = process.hrtime.bigint();
      await (calls[c] as () => Promise<unknown>)();
      (samples[c] as number[])[i] = Number(process.hrtime.bigint() - t) / 1e6;
    }
  }
  return samples.map((s) => {
    s.sort((a, b) => a - b);
    return { p50_ms: round(quantile(s, 0.5)), p99_ms: round(quantile(s, 0.99)) };
  });
}

/**
 * Throughput of several contenders under drifting load: `total` calls each, in `slices` turns
 * (first contender's slice, second's, …, again), `inFlight` calls outstanding within a slice; each
 * one's calls per second over the time of its own slices.
 */
export async function interleavedThroughput(
  calls: readonly (() => Promise<unknown>)[],
  total: number,
  inFlight: number,
  slices: number,
): Promise<number[]> {
  const per = Math.max(1, Math.floor(total / slices));
  const seconds = calls.map(() => 0);
  for (let s = 0; s < slices; s++) {
    for (let c = 0; c < calls.length; c++) {
      const rate = await throughput(calls[c] as () => Promise<unknown>, per, inFlight);
      seconds[c] = (seconds[c] as number) + per / rate;
    }
  }
  return seconds.map((sec) => Math.round((per * slices) / sec));
}

/** Calls per second with `inFlight` calls kept outstanding until `total` completed. */
export async function throughput(
  call: () => Promise<unknown>,
  total: number,
  inFlight: number,
): Promise<number> {
  let started = 0;
  const t = process.hrtime.bigint();
  const lane = async (): Promise<void> => {
    while (started < total) {
      started++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  return Math.round(total / seconds);
}

/** The median of numbers. */
export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** Rounds to 3 decimals for printing. */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
