import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeFrameDir, ROOT } from '../support/frames.js';
import { installKael } from './installed-kael.js';
import type { InstalledKael } from './installed-kael.js';
import { StdioLspClient } from './stdio-lsp-client.js';

/** The command and arguments each editor's snippet in docs/editors.md starts the server with. */
async function documentedCommands(): Promise<Record<'neovim' | 'helix', string[]>> {
  const page = await fs.readFile(path.join(ROOT, 'docs/editors.md'), 'utf8');
  const lua = /```lua\n[\s\S]*?cmd = \{([^}]*)\}[\s\S]*?```/.exec(page)?.[1];
  const toml = /```toml\n\[language-server\.kael\]\ncommand = "([^"]+)"\nargs = \[([^\]]*)\]/.exec(page);
  assert.ok(lua !== undefined, 'docs/editors.md has the Neovim cmd');
  assert.ok(toml !== null, 'docs/editors.md has the Helix language-server entry');
  const strings = (list: string): string[] => [...list.matchAll(/['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '');
  return { neovim: strings(lua), helix: [toml[1] ?? '', ...strings(toml[2] ?? '')] };
}

const BROKEN_FRAME = 'service_group: shop\npath:\n  - ./missing_service\n';

/**
 * The installed language server started the way docs/editors.md configures Neovim and Helix, then
 * driven as those editors do: initialize with the root folder, initialized, didOpen of a YAML file,
 * and the diagnostics they show.
 */
describe('the language server as Neovim and Helix start it', () => {
  let kael: InstalledKael;
  let root: string;

  before(async () => {
    kael = await installKael();
    root = path.dirname(await makeFrameDir({}));
  });

  after(async () => {
    await kael?.remove();
    if (root !== undefined) await fs.rm(root, { recursive: true, force: true });
  });

  for (const editor of ['neovim', 'helix'] as const) {
    it(`publishes the diagnostics of a frame.yaml to ${editor}`, async () => {
      const [command, ...args] = (await documentedCommands())[editor];
      assert.equal(command, 'kael-language-server');
      assert.deepEqual(args, ['--stdio']);
      const lsp = new StdioLspClient(command, args, kael.env);
      try {
        const init = await lsp.initialize(root);
        assert.ok(init.capabilities['hoverProvider'] !== undefined);
        const file = path.join(root, 'frame.yaml');
        await lsp.open(file, BROKEN_FRAME);
        const diagnostics = await lsp.diagnostics(file);
        assert.deepEqual(
          diagnostics.map((d) => ({
            code: d.code,
            source: d.source,
            line: d.range.start.line,
            severity: d.severity,
          })),
          [{ code: 'path-missing', source: 'kael', line: 2, severity: 1 }],
        );
        const other = path.join(root, 'docker-compose.yaml');
        await lsp.open(other, 'services:\n  web:\n    image: nginx\n');
        assert.deepEqual(await lsp.diagnostics(other), []);
        assert.equal(await lsp.stop(), 0);
      } finally {
        lsp.child.kill();
      }
    });
  }
});
