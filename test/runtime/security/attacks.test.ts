import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Message } from 'amqplib';
import { connectClient, createLogger, WorkFrame } from '@kael/runtime';
import type { DeployResult, Logger, ServiceProxy } from '@kael/runtime';
import { decodeBody } from '@kael/runtime/codec/codec';
import { keyId } from '@kael/runtime/security/admin-key';
import { AURI, deleteNamespace, randomNamespace } from '../../support/broker.js';
import {
  makeFrameDir,
  runCli,
  startFrameProcess,
  startTestFrame,
  TEST_ADMIN_KEY,
  testClient,
  versionedService,
} from '../../support/frames.js';
import type { TestFrame } from '../../support/frames.js';
import { until } from '../../support/wait.js';
import { Attacker, craftArchive, markerPackage } from './attacker.js';
import type { FakeFrame } from './attacker.js';

/**
 * Each attack of issue 9, against the real broker: what an ordinary broker account could do to
 * frames before, and what happens now.
 */

interface LogEntry {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps what it is told, so tests can check what a frame logged (by fields, not text). */
function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}): void =>
      void entries.push({ level, message, fields });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const silent = createLogger('test', 'silent');

/** A file path that attacker code would create if it ever ran. */
function markerPath(): string {
  return path.join(os.tmpdir(), `kael-pwned-${randomBytes(4).toString('hex')}`);
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

function versionOf(frame: WorkFrame, pkg: string): string | undefined {
  return frame.snapshot().packages.find((p) => p.name === pkg)?.version;
}

function errorCode(reply: { ok: boolean; error?: { code: string } } | undefined): string {
  return reply === undefined ? 'NO REPLY' : reply.ok ? 'OK' : (reply.error?.code ?? '?');
}

describe('attack: remote code execution on a frame without an admin key', () => {
  let setup: TestFrame;
  let frame: WorkFrame;
  let attacker: Attacker;
  let fake: FakeFrame;
  const log = recordingLogger();
  const marker = markerPath();
  const archive = markerPackage('tools', '9.9', marker);

  before(async () => {
    setup = await startTestFrame({ tools: versionedService('tools', '1.0') }, { adminKey: '', logger: log });
    frame = setup.frame;
    attacker = await Attacker.connect(frame.namespace);
    fake = await attacker.fakeFrame({ pkg: 'tools', version: '9.9', archive });
  });

  after(async () => {
    await fake.close();
    await attacker.close();
    await setup.close();
    await fs.rm(marker, { force: true });
  });

  it('refuses an update and an install from a fake source frame with UNAUTHORIZED; the attacker code never runs', async () => {
    const kwargs = {
      pkg: 'tools',
      pkg_type: 'service',
      version: '9.9',
      source: fake.id,
      sha256: archive.digest,
    };
    const update = await attacker.send({ fn: '_update_pkg', kwargs }, { expect: [frame.id] });
    const outside = path.join(os.tmpdir(), `kael-rce-${randomBytes(4).toString('hex')}`);
    const install = await attacker.send(
      { fn: '_install_pkg', kwargs: { ...kwargs, pkg: 'other', install_path: outside } },
      { expect: [frame.id] },
    );
    assert.deepEqual(
      [errorCode(update[frame.id]), errorCode(install[frame.id])],
      ['UNAUTHORIZED', 'UNAUTHORIZED'],
    );
    assert.equal(await exists(marker), false, 'the attacker code did not run');
    assert.equal(await exists(outside), false, 'nothing was installed outside the frame folder');
    assert.equal(versionOf(frame, 'tools'), '1.0');
    assert.deepEqual(
      fake.received.filter((fn) => fn === '_export_pkg'),
      [],
      'the frame never asked the fake source for its archive',
    );
  });

  it('refuses restarts and exports too, even from a client holding a key', async () => {
    const client = await testClient(frame.namespace);
    try {
      const restart = await client.restart('service', { timeoutMs: 5000 });
      const exported = await client.commandAll('_export_pkg', { pkg: 'tools', pkg_type: 'service' });
      assert.deepEqual(
        [errorCode(restart[frame.id]), errorCode(exported[frame.id])],
        ['UNAUTHORIZED', 'UNAUTHORIZED'],
      );
      assert.equal(
        errorCode((await client.commandAll('_get_pkg_version', { pkg_type: 'service' }))[frame.id]),
        'OK',
      );
    } finally {
      await client.close();
    }
  });

  it('says at start that it refuses every changing command', () => {
    const startWarning = log.entries.find(
      (e) => e.level === 'warn' && typeof e.fields['commands'] === 'string',
    );
    assert.ok(startWarning !== undefined, 'a warning at start');
    for (const fn of ['_install_pkg', '_update_pkg', '_rollback_pkg', '_restart_service', '_export_pkg'])
      assert.ok(String(startWarning.fields['commands']).includes(fn), fn);
  });
});

describe('the --allow-unsigned-admin opt-out', () => {
  let setup: TestFrame;
  const log = recordingLogger();

  before(async () => {
    setup = await startTestFrame(
      { tools: versionedService('tools', '1.0') },
      { adminKey: '', allowUnsignedAdmin: true, logger: log },
    );
  });

  after(async () => {
    await setup.close();
  });

  it('accepts unsigned changes, warning at start and with every change it lets through', async () => {
    const client = await connectClient({ name: setup.frame.namespace, auri: AURI, adminKey: '' });
    try {
      for (let i = 0; i < 2; i++)
        assert.equal(
          errorCode((await client.restart('service', { timeoutMs: 10_000 }))[setup.frame.id]),
          'OK',
        );
    } finally {
      await client.close();
    }
    assert.ok(log.entries.some((e) => e.level === 'warn' && typeof e.fields['commands'] === 'string'));
    const unsigned = log.entries.filter((e) => e.level === 'warn' && e.fields['kid'] === 'UNSIGNED');
    assert.deepEqual(
      unsigned.map((e) => e.fields['command']),
      ['_restart_service', '_restart_service'],
    );
  });

  it('is what `kael run --allow-unsigned-admin` turns on', async () => {
    const ns = setup.frame.namespace;
    const proc = startFrameProcess(await makeFrameDir({}), ns, ['--allow-unsigned-admin'], {
      KAEL_ADMIN_KEY: '',
    });
    const client = await connectClient({ name: ns, auri: AURI, adminKey: '' });
    try {
      await proc.ready;
      await until('the frame process', async () =>
        (await client.servers()).length === 2 ? true : undefined,
      );
      const r = await client.restart('service', { timeoutMs: 10_000 });
      assert.deepEqual(Object.values(r).map(errorCode), ['OK', 'OK']);
    } finally {
      await client.close();
      await proc.stop();
    }
  });
});

describe('attack: installing outside the frame folder', () => {
  let target: TestFrame;
  let source: TestFrame;
  let operator: ServiceProxy<{ extra__ver(): Promise<string> }>;
  const log = recordingLogger();

  before(async () => {
    target = await startTestFrame({ tools: versionedService('tools', '1.0') }, { logger: log });
    source = await startTestFrame(
      { tools: versionedService('tools', '1.1'), extra: versionedService('extra', '2.0') },
      { name: target.namespace },
    );
    operator = await testClient(target.namespace);
    await until('both frames', async () => ((await operator.servers()).length === 2 ? true : undefined));
  });

  after(async () => {
    await operator.close();
    await source.frame.stop();
    await target.close();
  });

  it('refuses a signed install at an absolute path outside the install root, or one that climbs out', async () => {
    const outside = path.join(os.tmpdir(), `kael-outside-${randomBytes(4).toString('hex')}`);
    for (const installPath of [path.join(outside, 'extra'), '../' + path.basename(outside)]) {
      const r = await operator.install('service', 'extra', installPath, { id: target.frame.id });
      assert.equal(r[target.frame.id]?.error?.code, 'UNAUTHORIZED', installPath);
    }
    assert.equal(await exists(outside), false);
  });

  it('installs at an absolute path inside the install root, and logs every change with key id, version and digest', async () => {
    const inside = path.join(path.dirname(target.frame.options.serviceGroupConf), 'pkgs', 'extra');
    const installed = await operator.install('service', 'extra', inside, { id: target.frame.id });
    assert.deepEqual(change(installed[target.frame.id]), { ok: true, from: null, to: '2.0' });
    const updated = await operator.update('service', 'tools', { id: target.frame.id });
    assert.deepEqual(change(updated[target.frame.id]), { ok: true, from: '1.0', to: '1.1' });
    const changes = log.entries
      .filter((e) => e.level === 'info' && typeof e.fields['command'] === 'string')
      .map((e) => [
        e.fields['command'],
        e.fields['kid'],
        e.fields['pkg'],
        e.fields['version'],
        e.fields['sha256'],
      ]);
    const sha = (v: unknown): boolean => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
    assert.deepEqual(
      changes.map(([command, kid, pkg, version, digest]) => [command, kid, pkg, version, sha(digest)]),
      [
        ['_install_pkg', keyId(TEST_ADMIN_KEY), 'extra', '2.0', true],
        ['_update_pkg', keyId(TEST_ADMIN_KEY), 'tools', '1.1', true],
      ],
    );
  });
});

describe('attack: signed commands replayed into another namespace, to an excluded frame, after a restart', () => {
  const frames: TestFrame[] = [];
  let a1: WorkFrame;
  let a2: WorkFrame;
  let a3: WorkFrame;
  let b1: WorkFrame;
  let restarted: WorkFrame | undefined;
  let operator: ServiceProxy;
  let attackerA: Attacker;
  let attackerB: Attacker;
  let update: Message;
  const marker = markerPath();

  before(async () => {
    const first = await startTestFrame({ tools: versionedService('tools', '1.0') });
    const nsA = first.frame.namespace;
    frames.push(first);
    frames.push(await startTestFrame({ tools: versionedService('tools', '1.1') }, { name: nsA }));
    frames.push(await startTestFrame({ tools: versionedService('tools', '1.0') }, { name: nsA }));
    frames.push(await startTestFrame({ tools: versionedService('tools', '1.0') }));
    [a1, a2, a3, b1] = frames.map((f) => f.frame) as [WorkFrame, WorkFrame, WorkFrame, WorkFrame];
    operator = await testClient(nsA);
    await until('three frames in namespace A', async () =>
      (await operator.servers()).length === 3 ? true : undefined,
    );
    attackerA = await Attacker.connect(nsA);
    attackerB = await Attacker.connect(b1.namespace);
  });

  after(async () => {
    await operator.close();
    await attackerA.close();
    await attackerB.close();
    await restarted?.stop();
    for (const f of frames) await f.frame.stop();
    await deleteNamespace(a1.namespace);
    await deleteNamespace(b1.namespace);
    await fs.rm(marker, { force: true });
  });

  it('lets the operator update every frame but the excluded one (the command the attacker captures)', async () => {
    const sniffer = await attackerA.sniff([a1.id, a2.id, a3.id]);
    const results = await operator.update('service', 'tools', { notId: [a3.id] });
    await sniffer.stop();
    assert.deepEqual(change(results[a1.id]), { ok: true, from: '1.0', to: '1.1' });
    assert.equal(versionOf(a3, 'tools'), '1.0');
    // A deploy sends one command per target frame, signed for that frame alone.
    const updates = sniffer.captured
      .map((m) => ({ m, body: decodeBody(m.content, 'application/msgpack') as { fn: string; id?: string } }))
      .filter(({ body }) => body.fn === '_update_pkg');
    assert.deepEqual(updates.map(({ body }) => body.id).sort(), [a1.id, a2.id].sort());
    const captured = updates.find(({ body }) => body.id === a1.id)?.m;
    assert.ok(captured !== undefined, 'the update to a1 went over the direct command exchange');
    update = captured;
  });

  it('refuses the captured update replayed into another namespace that uses the same key', async () => {
    // The attacker's namespace B has a fake frame with the source's id, serving its own code.
    const fake = await attackerB.fakeFrame({
      id: a2.id,
      pkg: 'tools',
      version: '1.1',
      archive: markerPackage('tools', '1.1', marker),
    });
    try {
      // Re-addressed to B's frame (the signature binds the namespace and the target: refused)…
      const body = decodeBody(update.content, 'application/msgpack') as Record<string, unknown>;
      const readdressed = await attackerB.send({ ...body, id: b1.id }, { expect: [b1.id] });
      assert.equal(errorCode(readdressed[b1.id]), 'UNAUTHORIZED');
      // …and the same bytes on both of B's command exchanges (addressed to a frame B does not have).
      const replies = await attackerB.replay(update.content, { waitMs: 800 });
      assert.notEqual(errorCode(replies[b1.id]), 'OK');
      assert.equal(versionOf(b1, 'tools'), '1.0');
      assert.equal(await exists(marker), false, 'the attacker code did not run');
    } finally {
      await fake.close();
    }
  });

  it('refuses the captured update re-addressed to the excluded frame, and the same bytes again', async () => {
    const body = decodeBody(update.content, 'application/msgpack') as Record<string, unknown>;
    const untargeted = { ...body };
    delete untargeted['id'];
    delete untargeted['notId'];
    const stripped = await attackerA.send(untargeted, { expect: [a1.id, a2.id, a3.id] });
    assert.equal(errorCode(stripped[a3.id]), 'UNAUTHORIZED');
    assert.equal(versionOf(a3, 'tools'), '1.0');
    const direct = await attackerA.send(
      { ...untargeted, id: a3.id },
      { exchange: `kael.${a3.namespace}.cmd.direct`, routingKey: a3.id, expect: [a3.id] },
    );
    assert.equal(errorCode(direct[a3.id]), 'UNAUTHORIZED');
    const again = await attackerA.replay(update.content, {
      exchange: `kael.${a1.namespace}.cmd.direct`,
      routingKey: a1.id,
      expect: [a1.id],
    });
    assert.equal(errorCode(again[a1.id]), 'UNAUTHORIZED', 'a nonce is used once');
    assert.equal(again[a3.id], undefined, 'the excluded frame never sees a command addressed to another');
    assert.equal(versionOf(a3, 'tools'), '1.0');
  });

  it('refuses a captured restart replayed to a frame that restarted since it was signed', async () => {
    const sniffer = await attackerA.sniff();
    const ok = await operator.restart('service', { timeoutMs: 20_000 });
    await sniffer.stop();
    assert.equal(errorCode(ok[a1.id]), 'OK');
    const captured = sniffer.captured.find(
      (m) => (decodeBody(m.content, 'application/msgpack') as { fn: string }).fn === '_restart_service',
    );
    assert.ok(captured !== undefined);
    await a1.stop();
    restarted = new WorkFrame({
      name: a1.namespace,
      auri: AURI,
      serviceGroupConf: a1.options.serviceGroupConf,
      adminKey: TEST_ADMIN_KEY,
      logger: silent,
    });
    await restarted.start();
    const replies = await attackerA.replay(captured.content, { expect: [restarted.id] });
    assert.equal(errorCode(replies[restarted.id]), 'UNAUTHORIZED');
  });
});

describe('attack: a fake source frame serving its own archive', () => {
  let setup: TestFrame;
  let frame: WorkFrame;
  let attacker: Attacker;
  const marker = markerPath();

  before(async () => {
    setup = await startTestFrame({ tools: versionedService('tools', '1.0') });
    frame = setup.frame;
    attacker = await Attacker.connect(frame.namespace);
  });

  after(async () => {
    await attacker.close();
    await setup.close();
    await fs.rm(marker, { force: true });
  });

  /** The operator updates to `version`, which only the fake frame holds; returns the target frame's result code. */
  async function updateFromFake(fake: FakeFrame, version: string): Promise<string> {
    const operator = await testClient(frame.namespace);
    try {
      await until('the fake frame in the view', async () =>
        (await operator.servers()).some((f) => f.id === fake.id) ? true : undefined,
      );
      const results = await operator.update('service', 'tools', { version, timeoutMs: 10_000 });
      return results[frame.id]?.error?.code ?? (results[frame.id]?.ok === true ? 'OK' : 'NO RESULT');
    } finally {
      await operator.close();
    }
  }

  it('refuses an archive other than the one whose digest the operator signed, before unpacking it', async () => {
    const benign = craftArchive(
      [{ path: 'setting.yaml', type: 'file', size: 1, mode: 0o644 }],
      Buffer.from('x'),
    );
    const fake = await attacker.fakeFrame({
      pkg: 'tools',
      version: '9.1',
      archive: markerPackage('tools', '9.1', marker),
      announcedDigest: benign.digest,
    });
    try {
      assert.equal(await updateFromFake(fake, '9.1'), 'ARCHIVE_INVALID');
    } finally {
      await fake.close();
    }
    assert.equal(await exists(marker), false, 'the attacker code did not run');
    assert.equal(versionOf(frame, 'tools'), '1.0');
  });

  it('refuses the symlink chain a/b→.., a/b/c→.., a/b/c/d→.. and writes nothing outside the package folder', async () => {
    const name = `kael-escape-${randomBytes(4).toString('hex')}.txt`;
    const chain = craftArchive(
      [
        { path: 'a', type: 'dir' },
        { path: 'a/b', type: 'symlink', target: '..' },
        { path: 'a/b/c', type: 'symlink', target: '..' },
        { path: 'a/b/c/d', type: 'symlink', target: '..' },
        { path: `a/b/c/d/${name}`, type: 'file', size: 5, mode: 0o644 },
      ],
      Buffer.from('owned'),
    );
    const fake = await attacker.fakeFrame({ pkg: 'tools', version: '9.2', archive: chain });
    const frameDir = path.dirname(frame.options.serviceGroupConf);
    try {
      assert.equal(await updateFromFake(fake, '9.2'), 'ARCHIVE_INVALID');
      for (const dir of [frameDir, path.dirname(frameDir), path.dirname(path.dirname(frameDir))])
        assert.equal(await exists(path.join(dir, name)), false, `nothing written in ${dir}`);
      assert.deepEqual(
        (await fs.readdir(frameDir)).filter((n) => n !== '.kael').sort(),
        ['frame.yaml', 'tools'],
        'no link or staging folder left beside the package',
      );
    } finally {
      await fake.close();
      for (const dir of [frameDir, path.dirname(frameDir)])
        await fs.rm(path.join(dir, name), { force: true });
    }
  });

  it('refuses a file that overwrites setting.yaml through a link of the same archive', async () => {
    const good = Buffer.from('type: service\nservice_base_name: tools\nversion: 9.3\npublish: [ver]\n');
    const evil = Buffer.from('type: service\nservice_base_name: tools\nversion: 6.6\npublish: [ver]\n');
    const code = Buffer.from(
      `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nexports.ver = () => 1;\n`,
    );
    const overwrite = craftArchive(
      [
        { path: 'index.js', type: 'file', size: code.length, mode: 0o644 },
        { path: 'link', type: 'symlink', target: 'setting.yaml' },
        { path: 'setting.yaml', type: 'file', size: good.length, mode: 0o644 },
        { path: 'link', type: 'file', size: evil.length, mode: 0o644 },
      ],
      Buffer.concat([code, good, evil]),
    );
    const fake = await attacker.fakeFrame({ pkg: 'tools', version: '9.3', archive: overwrite });
    try {
      assert.equal(await updateFromFake(fake, '9.3'), 'ARCHIVE_INVALID');
    } finally {
      await fake.close();
    }
    assert.equal(versionOf(frame, 'tools'), '1.0');
    assert.equal(await exists(marker), false);
  });
});

describe('attack: package code reading the admin key and the broker password', () => {
  const ns = randomNamespace();
  const key = TEST_ADMIN_KEY;
  let proc: ReturnType<typeof startFrameProcess>;
  let client: ServiceProxy<{ spy__env(): Promise<Record<string, string>> }>;
  const secrets = [key, 'db-s3cret', 'guest:guest@'];

  before(async () => {
    const keyFile = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'kael-key-')), 'admin.key');
    await fs.writeFile(keyFile, key, { mode: 0o600 });
    const conf = await makeFrameDir({
      spy: {
        'setting.yaml': 'type: service\nservice_base_name: spy\nversion: 1.0\npublish: [env]\n',
        'index.js': 'exports.env = () => ({ ...process.env });\n',
      },
      dump: {
        'setting.yaml':
          "type: crontab\ncrontab_name: dump\nversion: 1.0\npublish:\n  - ['* * * * * *', 'env']\n",
      },
    });
    proc = startFrameProcess(conf, ns, [], {
      KAEL_ADMIN_KEY: key,
      KAEL_ADMIN_KEY_FILE: keyFile,
      KAEL_AURI: AURI,
      DB_URL: 'postgres://app:db-s3cret@db/app',
    });
    await proc.ready;
    client = await testClient(ns);
  });

  after(async () => {
    await client.close();
    await proc.stop();
    await deleteNamespace(ns);
  });

  it('gives service code an environment without the key, its file, the broker URL or URLs with passwords', async () => {
    const env = await client.spy__env();
    for (const name of ['KAEL_ADMIN_KEY', 'KAEL_ADMIN_KEY_FILE', 'KAEL_AURI', 'DB_URL'])
      assert.equal(env[name], undefined, name);
    const text = JSON.stringify(env);
    for (const s of secrets) assert.ok(!text.includes(s), `service code sees ${s}`);
    assert.ok(env['PATH'] !== undefined, 'ordinary variables are kept');
  });

  it('runs crontab commands without them, so `kael crontabs` shows none of them', async () => {
    const output = await until('a crontab run', async () => {
      const status = await client.getAllCrontabStatus({ crontab: 'dump' });
      const run = Object.values(status)
        .flat()
        .flatMap((c) => c.entries.flatMap((e) => e.runs))
        .find((r) => r.status === 'ok');
      return run?.output;
    });
    assert.match(output, /KAEL_CRONTAB=dump/);
    for (const s of secrets) assert.ok(!output.includes(s), `crontab output shows ${s}`);
    const cli = await runCli(['crontabs', '--name', ns, '--json']);
    for (const s of secrets) assert.ok(!cli.stdout.includes(s), `kael crontabs shows ${s}`);
  });
});

describe('attack: passwords in printed broker URLs', () => {
  const odd = [
    'amqp:/kael:s3cret-1@127.0.0.1:1',
    'amqp://kael:s3c@ret-2@127.0.0.1:1',
    'amqp://a:s3cret-3@127.0.0.1:1,amqp://b:s3cret-4@127.0.0.1:2',
  ];

  it('never prints the password in a connect error, whatever the URL form', async () => {
    for (const auri of odd)
      await assert.rejects(
        connectClient({ name: 'x', auri, logger: silent }),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, 'BROKER_UNAVAILABLE');
          assert.ok(!/s3c/.test(e.message), e.message);
          return true;
        },
      );
  });

  it('never prints it from the CLI either', async () => {
    for (const auri of odd) {
      const r = await runCli(['status', '--name', 'x', '--auri', auri]);
      assert.equal(r.code, 1);
      assert.ok(!/s3c/.test(r.stdout + r.stderr), r.stderr);
    }
  });
});

/** The ok/from/to of a per-frame change result (the package state it also carries is checked elsewhere). */
function change(
  r: DeployResult | undefined,
): { ok: boolean; from: string | null; to: string | null } | undefined {
  return r === undefined ? undefined : { ok: r.ok, from: r.from, to: r.to };
}
