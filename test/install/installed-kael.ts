import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support/frames.js';

const run = promisify(execFile);

/** kael installed from its packed tarballs into a temporary global prefix, as on a machine with only Node. */
export interface InstalledKael {
  /** The global prefix (`npm install -g --prefix`). */
  prefix: string;
  /** The tarballs, by workspace, and their sizes in bytes. */
  tarballs: Record<'schemas' | 'runtime' | 'server', { file: string; bytes: number }>;
  /** An environment with only Node and the prefix's bin on PATH (no NODE_OPTIONS, a fresh HOME). */
  env: Record<string, string>;
  /** Milliseconds `npm install -g` took. */
  installMs: number;
  /** The path of an installed command. */
  bin(name: 'kael' | 'kael-language-server'): string;
  /** Removes the prefix and the tarballs. */
  remove(): Promise<void>;
}

/**
 * Packs @kael/schemas, @kael/runtime and @kael/server (`npm pack`, from the built tree) and installs
 * the three tarballs together with `npm install -g --prefix <temp>`: the runtime's dependency on the
 * schemas and the server's on the runtime resolve from the tarballs, the others from the npm cache
 * or registry.
 */
export async function installKael(): Promise<InstalledKael> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kael-install-'));
  const { stdout } = await run(
    'npm',
    ['pack', '-w', 'schemas', '-w', 'runtime', '-w', 'server', '--pack-destination', dir, '--json'],
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
  );
  const packed = JSON.parse(stdout) as { name: string; filename: string; size: number }[];
  const tarball = (name: string): { file: string; bytes: number } => {
    const p = packed.find((x) => x.name === name);
    if (p === undefined) throw new Error(`npm pack made no tarball for ${name}`);
    return { file: path.join(dir, p.filename), bytes: p.size };
  };
  const tarballs = {
    schemas: tarball('@kael/schemas'),
    runtime: tarball('@kael/runtime'),
    server: tarball('@kael/server'),
  };
  const prefix = path.join(dir, 'prefix');
  const home = path.join(dir, 'home');
  await fs.mkdir(home);
  const installStartedAt = Date.now();
  await run(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      tarballs.schemas.file,
      tarballs.runtime.file,
      tarballs.server.file,
    ],
    { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
  );
  const installMs = Date.now() - installStartedAt;
  const env = {
    PATH: [path.join(prefix, 'bin'), path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter),
    HOME: home,
  };
  return {
    prefix,
    tarballs,
    env,
    installMs,
    bin: (name) => path.join(prefix, 'bin', name),
    remove: () => fs.rm(dir, { recursive: true, force: true }),
  };
}
