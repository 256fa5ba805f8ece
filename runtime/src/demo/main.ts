import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { connectClient } from '../client/frame-client.js';
import { KaelError } from '../errors.js';
import { WorkFrame } from '../frame/work-frame.js';
import { generateAdminKey } from '../security/admin-key.js';
import { createLogger } from '../util/logger.js';
import { deleteNamespaceQueues } from './cleanup.js';

/** The example packages' services, typed for this TypeScript caller. */
interface ExampleServices {
  calculate__add(a: unknown, b: unknown): Promise<number>;
  calculate__minus(a: number, b: number): Promise<number>;
  calculate__divide(a: number, b: number): Promise<number>;
  calculate__sqrt(a: number): Promise<number>;
  time__now(): Promise<string>;
  time__sleep(ms: number): Promise<number>;
  stats__mean(values: number[]): Promise<number>;
  stats__wait(seconds: number): Promise<number>;
}

/**
 * `npm run demo`: starts a frame on examples/frame.yaml in a fresh namespace on the local broker
 * (or KAEL_AURI), calls its services as a client would, prints what happened, and cleans up.
 */
async function main(): Promise<void> {
  const namespace = `demo-${randomBytes(3).toString('hex')}`;
  const conf = path.resolve(__dirname, '../../../examples/frame.yaml');
  const say = (line: string): void => void process.stdout.write(line + '\n');
  // A key for this run only: frames refuse changing commands that are not signed with their key.
  const adminKey = generateAdminKey();
  const frame = new WorkFrame({
    name: namespace,
    serviceGroupConf: conf,
    adminKey,
    logger: createLogger('frame', 'warn'),
  });
  await frame.start();
  say(`frame ${frame.id} started in namespace "${namespace}" from ${conf}`);
  for (const p of frame.snapshot().packages) {
    say(
      `  ${p.kind} package ${p.name} ${p.version ?? ''}${p.services === undefined ? '' : ` → ${p.services.join(', ')}`}${p.error === undefined ? '' : ` FAILED: ${p.error.message}`}`,
    );
  }
  const client = await connectClient<ExampleServices>({
    name: namespace,
    auri: frame.options.auri,
    adminKey,
  });
  try {
    say(`calculate__add(1, 2) = ${JSON.stringify(await client.calculate__add(1, 2))}`);
    say(`calculate__minus(10, 4) = ${JSON.stringify(await client.calculate__minus(10, 4))}`);
    say(
      `time__now() = ${JSON.stringify(await client.time__now())}   (index.ts, loaded without a build step)`,
    );
    const t0 = Date.now();
    await Promise.all([client.time__sleep(200), client.time__sleep(200), client.time__sleep(200)]);
    say(`3 × time__sleep(200) in parallel took ${Date.now() - t0} ms`);
    say(
      `stats__mean([1, 2, 3, 4]) = ${JSON.stringify(await client.stats__mean([1, 2, 3, 4]))}   (__init__.py, a Python package)`,
    );
    say(
      `stats__describe([2, 4, 4, 5], digits=1) = ${JSON.stringify(await client.call('stats__describe', [[2, 4, 4, 5]], { kwargs: { digits: 1 } }))}`,
    );
    const t2 = Date.now();
    await Promise.all([client.stats__wait(0.2), client.stats__wait(0.2), client.stats__wait(0.2)]);
    say(`3 × stats__wait(0.2) (async def) in parallel took ${Date.now() - t2} ms`);
    for (const [label, call] of [
      ['calculate__add("one", 2)', () => client.calculate__add('one', 2)],
      ['calculate__divide(1, 0)', () => client.calculate__divide(1, 0)],
      ['calculate__sqrt(9)', () => client.calculate__sqrt(9)],
      ['stats__describe([])', () => client.call('stats__describe', [[]])],
    ] as const) {
      try {
        await call();
      } catch (e) {
        say(`${label} → ${(e as KaelError).code}: ${(e as Error).message}`);
      }
    }
    const t1 = Date.now();
    const n = 1000;
    for (let i = 0; i < n; i++) await client.calculate__add(i, 1);
    say(`${n} sequential calls: ${((Date.now() - t1) / n).toFixed(3)} ms per call`);
    const stranger = await connectClient({ name: namespace, auri: frame.options.auri, adminKey: '' });
    try {
      const refused = (await stranger.restart('service'))[frame.id];
      say(`restart without the admin key → ${refused?.ok === false ? refused.error.code : 'accepted?!'}`);
    } finally {
      await stranger.close();
    }
    const signed = (await client.restart('service'))[frame.id];
    say(`restart signed with the admin key → ${signed?.ok === true ? 'ok' : JSON.stringify(signed)}`);
  } finally {
    await client.close();
    await frame.stop();
    await deleteNamespaceQueues(
      frame.options.auri,
      namespace,
      frame.snapshot().packages.flatMap((p) => p.services ?? []),
      frame.snapshot().crontabs.map((c) => c.name),
    );
  }
  say('frame stopped; namespace cleaned up');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(
      `demo failed: ${e instanceof KaelError ? `[${e.code}] ` : ''}${(e as Error).message}\n`,
    );
    process.exit(1);
  },
);
