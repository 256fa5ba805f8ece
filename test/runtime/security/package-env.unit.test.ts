import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packageEnv, withheldVariables } from '@kael/runtime/security/package-env';

describe('the environment of package code', () => {
  const frameEnv = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/kael',
    LANG: 'C.UTF-8',
    KAEL_NAME: 'prod',
    KAEL_ADMIN_KEY: 'secret-key-0123456789',
    KAEL_ADMIN_KEY_FILE: '/etc/kael/admin.key',
    KAEL_AURI: 'amqp://kael:pw@mq',
    DATABASE_URL: 'postgres://app:db-pw@db/app',
    ODD_URL: 'amqp:/app:pw@mq',
    URL_LIST: 'amqp://mq1,amqp://a:pw@mq2',
    PUBLIC_URL: 'https://example.com/app?x=1',
    EMAIL: 'ops@example.com',
  };

  it('keeps ordinary variables and drops the admin key, its file, the broker URL and URLs with passwords', () => {
    assert.deepEqual(packageEnv(frameEnv), {
      PATH: '/usr/bin:/bin',
      HOME: '/home/kael',
      LANG: 'C.UTF-8',
      KAEL_NAME: 'prod',
      PUBLIC_URL: 'https://example.com/app?x=1',
      EMAIL: 'ops@example.com',
    });
  });

  it('names what it withheld (never the values)', () => {
    assert.deepEqual(withheldVariables(frameEnv), [
      'DATABASE_URL',
      'KAEL_ADMIN_KEY',
      'KAEL_ADMIN_KEY_FILE',
      'KAEL_AURI',
      'ODD_URL',
      'URL_LIST',
    ]);
  });
});
