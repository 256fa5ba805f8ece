import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { names } from '@kael/runtime';
import { bestEffort } from '@kael/runtime/util/best-effort';
import { createLogger } from '@kael/runtime/util/logger';

/** A queue may be deleted by its own test meanwhile: cleanup failures are logged at debug, not thrown. */
const log = createLogger('test-cleanup');

/** The broker the tests use: `KAEL_AURI`, else the local RabbitMQ. */
export const AURI = process.env['KAEL_AURI'] ?? 'amqp://guest:guest@127.0.0.1:5672';

/** A namespace no other test uses. */
export function randomNamespace(prefix = 't'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

const run = promisify(execFile);

/** Runs `rabbitmqctl -q <args>` on the local node. */
export async function rabbitmqctl(...args: string[]): Promise<void> {
  await run('rabbitmqctl', ['-q', ...args], { timeout: 60_000 });
}

/** A broker user of one test (never `guest`): its name and an amqp URL of the local broker with its password. */
export interface TestUser {
  name: string;
  url: string;
}

/**
 * Adds a broker user with these permissions (regular expressions) in vhost `/`; remove it with
 * `rabbitmqctl('delete_user', user.name)`.
 */
export async function createBrokerUser(
  prefix: string,
  permissions: { configure: string; write: string; read: string },
): Promise<TestUser> {
  const name = `kael-test-${prefix}-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await rabbitmqctl('add_user', name, password);
  await rabbitmqctl(
    'set_permissions',
    '-p',
    '/',
    name,
    permissions.configure,
    permissions.write,
    permissions.read,
  );
  return { name, url: `amqp://${name}:${password}@127.0.0.1:5672` };
}

/** Deletes every queue and exchange of a namespace (tests clean up after themselves). */
export async function deleteNamespace(ns: string): Promise<void> {
  const prefix = names.namespacePrefix(ns);
  const list = async (what: 'queues' | 'exchanges'): Promise<string[]> => {
    const { stdout } = await run('rabbitmqctl', ['-q', `list_${what}`, 'name', '--no-table-headers'], {
      timeout: 30_000,
    });
    return stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((n) => n.startsWith(prefix));
  };
  const conn = await amqp.connect(AURI, { noDelay: true });
  conn.on('error', (e: Error) => log.debug('cleanup connection error', { error: e.message }));
  try {
    for (const q of await list('queues')) {
      const ch = await conn.createChannel();
      ch.on('error', (e: Error) => log.debug('cleanup channel error', { error: e.message }));
      await bestEffort(ch.deleteQueue(q), log, `delete queue ${q}`);
      await bestEffort(ch.close(), log, 'close a cleanup channel');
    }
    for (const x of await list('exchanges')) {
      const ch = await conn.createChannel();
      ch.on('error', (e: Error) => log.debug('cleanup channel error', { error: e.message }));
      await bestEffort(ch.deleteExchange(x), log, `delete exchange ${x}`);
      await bestEffort(ch.close(), log, 'close a cleanup channel');
    }
  } finally {
    await bestEffort(conn.close(), log, 'close the cleanup connection');
  }
}
