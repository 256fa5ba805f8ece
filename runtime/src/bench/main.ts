import { parseArgs } from 'node:util';
import { DEFAULT_AURI } from '../frame/work-frame.js';
import { section as cluster } from './cluster.js';
import { section as crontab } from './crontab.js';
import { section as languageServer } from './language-server.js';
import { section as rabbitmqCluster } from './rabbitmq-cluster.js';
import { section as rpc } from './rpc.js';
import { section as serviceNotFound } from './service-not-found.js';
import type { BenchSection } from './section.js';

const SECTIONS: readonly BenchSection[] = [rpc, cluster, crontab, languageServer, serviceNotFound];

/**
 * `npm run bench [-- --json] [--only rpc,cluster] [--quick]`: every section in one run on the local
 * broker. The rpc section's `floor`, `kael` and `ratio` sit at the top level of the JSON; the other
 * sections under their names. `--cluster` runs the RabbitMQ-cluster section alone instead, on the
 * nodes of scripts/rabbitmq-nodes.sh (started for the run when they are not up).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      cluster: { type: 'boolean', default: false },
    },
  });
  const only = values.cluster ? [rabbitmqCluster.name] : values.only?.split(',');
  const auri = process.env['KAEL_AURI'] ?? DEFAULT_AURI;
  const out: Record<string, unknown> = {};
  for (const s of [...SECTIONS, rabbitmqCluster]) {
    if (only === undefined ? s === rabbitmqCluster : !only.includes(s.name)) continue;
    if (!values.json) process.stdout.write(`\n== ${s.name} ==\n`);
    const result = await s.run({ auri, quick: values.quick });
    if (s.name === 'rpc') Object.assign(out, result);
    else out[s.name] = result;
    if (!values.json) process.stdout.write(s.describe(result).join('\n') + '\n');
  }
  if (values.json) process.stdout.write(JSON.stringify(out) + '\n');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
