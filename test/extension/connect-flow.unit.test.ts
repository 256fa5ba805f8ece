import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConnectionError, redactUrl } from 'kael-vscode/dist/client/connection-problem';
import {
  ADMIN_KEY,
  brokerUrls,
  brokerUrlSetting,
  PASSWORD_KEY,
  splitPassword,
  withPassword,
} from 'kael-vscode/dist/client/connection-store';
import type { ConnectionSettings } from 'kael-vscode/dist/client/connection-store';
import { connect, validateUrl } from 'kael-vscode/dist/commands/connect-flow';
import type { ProbeResult } from 'kael-vscode/dist/commands/connect-flow';
import { ESCAPE, MemorySecrets, ScriptedHost } from './scripted-host.js';

class MemorySettings implements ConnectionSettings {
  saves = 0;
  constructor(
    private stored = 'amqp://admin@mq:5672/api',
    private list = ['prod'],
  ) {}
  url(): string {
    return this.stored;
  }
  namespaces(): string[] {
    return this.list;
  }
  async save(url: string, namespaces: string[]): Promise<void> {
    this.saves++;
    this.stored = url;
    this.list = namespaces;
    return Promise.resolve();
  }
}

function setup(answers: unknown[], probes: ProbeResult[] = [{ ok: true, frames: { prod: 2 } }]) {
  const host = new ScriptedHost(answers);
  const settings = new MemorySettings();
  const secrets = new MemorySecrets(new Map([[PASSWORD_KEY, 'old-secret']]));
  const tried: { url: string; namespaces: string[] }[] = [];
  const probe = async (url: string, namespaces: string[]): Promise<ProbeResult> => {
    tried.push({ url, namespaces });
    return Promise.resolve(probes.shift() ?? { ok: true, frames: {} });
  };
  return { host, settings, secrets, tried, run: () => connect({ host, settings, secrets, probe }) };
}

const refused = describeConnectionError(
  Object.assign(
    new Error('cannot connect to RabbitMQ at amqp://admin:****@mq:5673: connect ECONNREFUSED 10.0.0.5:5673'),
    {
      cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5673'), {
        code: 'ECONNREFUSED',
        address: '10.0.0.5',
        port: 5673,
      }),
    },
  ),
  'amqp://admin@mq:5673/api',
);

describe('Connect…', () => {
  it('is one three-step input that never asks for the admin key', async () => {
    const t = setup(['amqp://admin@mq:5672/api', 'new-secret', 'prod, test']);
    assert.equal(await t.run(), true);
    assert.deepEqual(
      t.host.asked.map((a) =>
        a.kind === 'input'
          ? [a.options.step?.step, a.options.step?.total, a.options.password === true]
          : a.kind,
      ),
      [
        [1, 3, false],
        [2, 3, true],
        [3, 3, false],
      ],
    );
    assert.equal(t.secrets.values.get(ADMIN_KEY), undefined);
  });

  it('keeps the stored password when Escape is pressed at the password step, and saves nothing', async () => {
    const t = setup(['amqp://admin@mq:5672/api', ESCAPE]);
    assert.equal(await t.run(), false);
    assert.deepEqual(t.secrets.writes, []);
    assert.equal(t.secrets.values.get(PASSWORD_KEY), 'old-secret');
    assert.deepEqual([t.settings.saves, t.tried.length], [0, 0]);
  });

  it('keeps everything when Escape is pressed at the first or the last step', async () => {
    for (const answers of [[ESCAPE], ['amqp://admin@mq:5672/api', 'x', ESCAPE]]) {
      const t = setup(answers);
      assert.equal(await t.run(), false);
      assert.deepEqual([t.secrets.writes, t.settings.saves, t.tried.length], [[], 0, 0]);
    }
  });

  it('tries the connection before saving: the password goes to the secret store, the URL without it to settings', async () => {
    const t = setup(['amqp://admin:p%40ss@mq:5672/api', 'prod']);
    assert.equal(await t.run(), true);
    assert.deepEqual(t.tried, [{ url: 'amqp://admin:p%40ss@mq:5672/api', namespaces: ['prod'] }]);
    assert.equal(t.settings.url(), 'amqp://admin@mq:5672/api');
    assert.equal(t.secrets.values.get(PASSWORD_KEY), 'p@ss');
    assert.deepEqual(
      t.host.notes.map((n) => n.message),
      ['Kael: connected to amqp://admin@mq:5672/api: prod: 2 frames'],
    );
  });

  it('keeps the stored password when the password step is left empty', async () => {
    const t = setup(['amqp://admin@mq:5672/api', '', 'prod']);
    assert.equal(await t.run(), true);
    assert.equal(t.tried[0]?.url, 'amqp://admin:old-secret@mq:5672/api');
    assert.deepEqual(t.secrets.writes, []);
  });

  it('says a failure in words, saves nothing, and lets the user edit and retry', async () => {
    const t = setup(
      ['amqp://admin@mq:5673/api', 'pw', 'prod', 'Edit', 'amqp://admin@mq:5672/api', 'pw', 'prod'],
      [
        { ok: false, problem: refused },
        { ok: true, frames: { prod: 0 } },
      ],
    );
    assert.equal(await t.run(), true);
    const failure = t.host.notes.find((n) => n.level === 'error');
    assert.deepEqual(failure, {
      level: 'error',
      message: 'Kael: ECONNREFUSED 10.0.0.5:5673 — is RabbitMQ running, and on that port? Nothing was saved.',
      actions: ['Edit', 'Retry', 'Show Log'],
    });
    // The edit step starts from what was typed, and the second try is the one saved.
    const firstStepValues = t.host.asked
      .filter((a) => a.kind === 'input' && a.options.step?.step === 1)
      .map((a) => (a.kind === 'input' ? a.options.value : ''));
    assert.deepEqual(firstStepValues, ['amqp://admin@mq:5672/api', 'amqp://admin@mq:5673/api']);
    assert.equal(t.settings.url(), 'amqp://admin@mq:5672/api');
    assert.equal(
      t.host.notes.at(-1)?.message,
      'Kael: connected to amqp://admin@mq:5672/api: no frame runs with --name prod',
    );
  });

  it('retries the same settings when asked', async () => {
    const t = setup(
      ['amqp://admin@mq:5672/api', 'pw', 'prod', 'Retry'],
      [
        { ok: false, problem: refused },
        { ok: true, frames: { prod: 1 } },
      ],
    );
    assert.equal(await t.run(), true);
    assert.equal(t.tried.length, 2);
    assert.equal(t.settings.saves, 1);
  });

  it('takes the nodes of a cluster as a comma-separated list: one password for all, every node named', async () => {
    const t = setup(['amqp://admin@mq1:5672/api, amqp://admin@mq2:5673/api', 'pw', 'prod']);
    assert.equal(await t.run(), true);
    const password = t.host.asked.find((a) => a.kind === 'input' && a.options.step?.step === 2);
    assert.equal(
      password?.kind === 'input' ? password.prompt : '',
      'Password of admin at mq1:5672, mq2:5673',
    );
    assert.deepEqual(t.tried, [
      { url: 'amqp://admin:pw@mq1:5672/api,amqp://admin:pw@mq2:5673/api', namespaces: ['prod'] },
    ]);
    assert.equal(t.settings.url(), 'amqp://admin@mq1:5672/api,amqp://admin@mq2:5673/api');
    assert.equal(t.secrets.values.get(PASSWORD_KEY), 'pw');
  });

  it('names the node of a list that is not a broker URL', () => {
    assert.deepEqual(
      [
        validateUrl('amqp://a@mq1:5672, http://mq2:15672'),
        validateUrl('amqp://a@mq1:5672'),
        validateUrl(' , '),
        validateUrl('amqp://a@mq1:5672,amqps://a@mq2:5671/api'),
      ],
      [
        'node 2: an AMQP URL starts with amqp:// or amqps://, e.g. amqp://user@host:5672/vhost',
        undefined,
        'enter a URL, e.g. amqp://user@host:5672/vhost',
        undefined,
      ],
    );
  });

  it('saves nothing when the failure notification is dismissed', async () => {
    const t = setup(['amqp://admin@mq:5672/api', 'pw', 'prod'], [{ ok: false, problem: refused }]);
    assert.equal(await t.run(), false);
    assert.deepEqual([t.settings.saves, t.secrets.writes], [0, []]);
  });
});

describe('broker URL lists', () => {
  it('reads kael.brokerUrl as one URL, a comma-separated list or an array, and stores a list as an array', () => {
    assert.deepEqual(
      [
        brokerUrls('amqp://a@mq1:5672'),
        brokerUrls(' amqp://a@mq1:5672 , amqp://a@mq2:5672 ,'),
        brokerUrls(['amqp://a@mq1:5672', 'amqp://a@mq2:5672,amqp://a@mq3:5672', 7]),
        brokerUrls(''),
        brokerUrls(undefined),
      ],
      [
        ['amqp://a@mq1:5672'],
        ['amqp://a@mq1:5672', 'amqp://a@mq2:5672'],
        ['amqp://a@mq1:5672', 'amqp://a@mq2:5672', 'amqp://a@mq3:5672'],
        [],
        [],
      ],
    );
    assert.deepEqual(
      [brokerUrlSetting('amqp://a@mq1:5672'), brokerUrlSetting('amqp://a@mq1:5672,amqp://a@mq2:5672')],
      ['amqp://a@mq1:5672', ['amqp://a@mq1:5672', 'amqp://a@mq2:5672']],
    );
  });

  it('puts the password on every node and takes it off every node', () => {
    assert.equal(
      withPassword('amqp://a@mq1:5672/api,amqp://a@mq2:5672/api', 'p@ss'),
      'amqp://a:p%40ss@mq1:5672/api,amqp://a:p%40ss@mq2:5672/api',
    );
    assert.deepEqual(splitPassword('amqp://a:p%40ss@mq1:5672/api, amqp://a:p%40ss@mq2:5672/api'), {
      url: 'amqp://a@mq1:5672/api,amqp://a@mq2:5672/api',
      password: 'p@ss',
    });
    assert.equal(
      redactUrl('amqp://a:pw@mq1:5672,amqp://a:pw@mq2:5672'),
      'amqp://a:***@mq1:5672,amqp://a:***@mq2:5672',
    );
  });

  it('names every node of a list when credentials are refused', () => {
    const creds = describeConnectionError(
      new Error('Handshake terminated by server: 403 (ACCESS-REFUSED)'),
      'amqp://admin@mq1:5672/api,amqp://admin@mq2:5672/api',
    );
    assert.equal(
      creds.summary,
      'RabbitMQ at mq1:5672, mq2:5672 refused the credentials of user admin — check the user and password (Kael: Connect…)',
    );
  });
});

describe('connection problems in words', () => {
  it('names the socket error, the address and what to check', () => {
    assert.deepEqual(refused, {
      code: 'ECONNREFUSED',
      summary: 'ECONNREFUSED 10.0.0.5:5673 — is RabbitMQ running, and on that port?',
      detail: 'cannot connect to RabbitMQ at amqp://admin:****@mq:5673: connect ECONNREFUSED 10.0.0.5:5673',
    });
  });

  it('tells refused credentials and an unknown virtual host apart', () => {
    const creds = describeConnectionError(
      new Error(
        'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"',
      ),
      'amqp://admin@mq:5672/api',
    );
    assert.deepEqual(
      [creds.code, creds.summary],
      [
        'ACCESS_REFUSED',
        'RabbitMQ at mq:5672 refused the credentials of user admin — check the user and password (Kael: Connect…)',
      ],
    );
    const vhost = describeConnectionError(
      new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>'),
      'amqp://admin@mq:5672/nope',
    );
    assert.deepEqual(
      [vhost.code, vhost.summary],
      [
        'NOT_ALLOWED',
        'RabbitMQ at mq:5672 refused virtual host "nope" — does it exist, and may the user use it?',
      ],
    );
  });
});
