/** The broker users kael expects, from the least to the most trusted. */
export type BrokerRole = 'caller' | 'operator' | 'frame';

/** RabbitMQ permissions of a user in one vhost: three regular expressions over resource names. */
export interface BrokerPermissions {
  configure: string;
  write: string;
  read: string;
}

/** `text` with every regular-expression character escaped (namespaces may hold dots). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The permissions that confine each role to one namespace (`rabbitmqctl set_permissions -p <vhost>
 * <user> <configure> <write> <read>`), as the README lists them:
 * - `caller` calls services only: it may publish to the namespace's call exchange, nothing else
 *   (no queue, no command, no announcement, not the default exchange). Direct reply-to needs no
 *   permission.
 * - `operator` also sends commands (signed with the admin key) and watches the namespace: it may
 *   publish to the command exchanges and keep a server-named queue bound to the announcements.
 * - `frame` runs packages: everything under `kael.<ns>.`, plus the default exchange for replies and
 *   crontab claims.
 */
export function brokerPermissions(role: BrokerRole, namespace: string): BrokerPermissions {
  const ns = `kael\\.${escapeRegex(namespace)}\\.`;
  switch (role) {
    case 'caller':
      return { configure: '^$', write: `^${ns}call$`, read: '^$' };
    case 'operator':
      return {
        configure: `^(amq\\.gen-.*|${ns}(cmd|members))$`,
        write: `^(amq\\.gen-.*|${ns}(call|cmd|cmd\\.direct))$`,
        read: `^(amq\\.gen-.*|${ns}members)$`,
      };
    case 'frame':
      return {
        configure: `^${ns}.*$`,
        write: `^(amq\\.default|${ns}.*)$`,
        read: `^${ns}.*$`,
      };
  }
}
