import { parseArgs } from 'node:util';
import { KaelError } from '../errors.js';
import { FAULT_KINDS } from './fault-log.js';
import type { FaultKind } from './fault-log.js';

/** Settings of one chaos run (`npm run chaos -- --minutes N …`). */
export interface ChaosOptions {
  /** How long the load and the faults last. @default 2 */
  minutes: number;
  /** Calls started per second (normal calls; oversized and poison calls come on top). @default 100 */
  rate: number;
  /** Frame processes (`kael run`), each with its own folder. @default 3 */
  frames: number;
  /** Seed of the choices of calls, faults and victims. @default a random one (printed in the summary) */
  seed: number;
  /** AMQP port of the private RabbitMQ node (its distribution port is +20000). @default 6300 */
  port: number;
  /** Shortest and longest pause between two faults, in milliseconds. @default [4000, 10000] */
  faultGapMs: [number, number];
  /** The kinds of fault to inject. @default every kind of {@link FAULT_KINDS} */
  faults: FaultKind[];
  /** Timeout of a normal call. @default 5000 */
  callTimeoutMs: number;
  /**
   * Calls ask the client to retry across a lost connection (`retry: true`) instead of failing with
   * CONNECTION_LOST; a retried call may run twice. @default false
   */
  retry: boolean;
  /** Fail the run on its warnings too (hostile calls without their code, calls run twice, …). @default false */
  strict: boolean;
  /** Keep the run's folder (frame logs, tick and execution logs) instead of deleting it. @default false */
  keep: boolean;
}

/** What `--help` prints. */
export const CHAOS_USAGE =
  'npm run chaos -- [--minutes N] [--rate CALLS_PER_S] [--frames N] [--seed N] [--port P]\n' +
  '  [--fault-gap MIN_S-MAX_S] [--faults KIND,…] [--call-timeout MS] [--retry] [--strict] [--keep]\n' +
  `  fault kinds: ${FAULT_KINDS.join(', ')}`;

/**
 * Reads the command line of a chaos run.
 * @throws KaelError `USAGE` for an unknown flag or a value out of range.
 */
export function parseChaosOptions(argv: readonly string[], seed = randomSeed()): ChaosOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        minutes: { type: 'string' },
        rate: { type: 'string' },
        frames: { type: 'string' },
        seed: { type: 'string' },
        port: { type: 'string' },
        'fault-gap': { type: 'string' },
        faults: { type: 'string' },
        'call-timeout': { type: 'string' },
        retry: { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new KaelError('USAGE', `${(e as Error).message}\nusage: ${CHAOS_USAGE}`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const gap = (v['fault-gap'] ?? '4-10').split('-').map(Number);
  const [gapMin = NaN, gapMax = NaN] = gap;
  if (gap.length !== 2 || !(gapMin > 0) || !(gapMax >= gapMin))
    throw new KaelError('USAGE', `--fault-gap takes MIN-MAX seconds (e.g. 4-10), got "${v['fault-gap']}"`);
  const faults = (v.faults ?? FAULT_KINDS.join(',')).split(',').filter((k) => k !== '');
  const unknown = faults.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0 || faults.length === 0)
    throw new KaelError('USAGE', `--faults takes some of ${FAULT_KINDS.join(', ')}; got "${v.faults}"`);
  return {
    minutes: numberFlag(v.minutes, 'minutes', 2, 0.05, 24 * 60),
    rate: numberFlag(v.rate, 'rate', 100, 1, 5000),
    frames: Math.round(numberFlag(v.frames, 'frames', 3, 2, 9)),
    seed: Math.round(numberFlag(v.seed, 'seed', seed, 0, 2 ** 32 - 1)),
    port: Math.round(numberFlag(v.port, 'port', 6300, 1024, 45_000)),
    faultGapMs: [gapMin * 1000, gapMax * 1000],
    faults: faults as FaultKind[],
    callTimeoutMs: Math.round(numberFlag(v['call-timeout'], 'call-timeout', 5000, 100, 600_000)),
    retry: v.retry,
    strict: v.strict,
    keep: v.keep,
  };
}

function numberFlag(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw new KaelError('USAGE', `--${name} takes a number from ${min} to ${max}, got "${value}"`);
  return n;
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
