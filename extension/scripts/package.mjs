// Builds the installable .vsix: bundles the extension and the language server with esbuild, then
// writes the VSIX zip (manifest, content types, extension/ folder) with Node's own zlib.
import { build } from 'esbuild';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const repo = path.resolve(root, '..');
const out = path.join(root, 'kael-vscode.vsix');
const uplot = path.dirname(createRequire(import.meta.url).resolve('uplot/package.json')) + '/dist';

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  sourcemap: false,
  minify: true,
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: [path.join(repo, 'extension/dist/extension.js')],
  outfile: path.join(root, 'dist/bundle/extension.js'),
  external: ['vscode'],
});
await build({
  ...common,
  entryPoints: [path.join(repo, 'server/dist/main.js')],
  outfile: path.join(root, 'dist/bundle/server.js'),
});

const manifest = JSON.parse(await fs.readFile(path.join(root, 'package.json'), 'utf8'));
const shipped = { ...manifest, main: 'dist/extension.js' };
delete shipped.dependencies;
delete shipped.devDependencies;
delete shipped.scripts;
delete shipped.exports;

const files = new Map([
  ['extension/package.json', Buffer.from(JSON.stringify(shipped, null, 2))],
  ['extension/dist/extension.js', await fs.readFile(path.join(root, 'dist/bundle/extension.js'))],
  ['extension/dist/server.js', await fs.readFile(path.join(root, 'dist/bundle/server.js'))],
  ['extension/media/kael.svg', await fs.readFile(path.join(root, 'media/kael.svg'))],
  // The metrics panel: its script and the chart library, bundled (no CDN: offline and code-server).
  ['extension/media/metrics-view.js', await fs.readFile(path.join(root, 'media/metrics-view.js'))],
  ['extension/media/uPlot.iife.min.js', await fs.readFile(path.join(uplot, 'uPlot.iife.min.js'))],
  ['extension/media/uPlot.min.css', await fs.readFile(path.join(uplot, 'uPlot.min.css'))],
  // The language server reads a Python package's __init__.py with this helper (never importing it).
  ['extension/python/kael_outline.py', await fs.readFile(path.join(repo, 'runtime/python/kael_outline.py'))],
  ['extension/README.md', await fs.readFile(path.join(root, 'README.md'))],
  ['extension/LICENSE.txt', Buffer.from('MIT\n')],
]);
const xml = (s) =>
  String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
files.set(
  'extension.vsixmanifest',
  Buffer.from(`<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011" xmlns:d="http://schemas.microsoft.com/developer/vsx-schema-design/2011">
  <Metadata>
    <Identity Language="en-US" Id="${xml(manifest.name)}" Version="${xml(manifest.version)}" Publisher="${xml(manifest.publisher)}" />
    <DisplayName>${xml(manifest.displayName)}</DisplayName>
    <Description xml:space="preserve">${xml(manifest.description)}</Description>
    <Tags>kael,rabbitmq,yaml</Tags>
    <Categories>Other</Categories>
    <GalleryFlags>Public</GalleryFlags>
    <Properties>
      <Property Id="Microsoft.VisualStudio.Code.Engine" Value="${xml(manifest.engines.vscode)}" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionDependencies" Value="" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionPack" Value="" />
      <Property Id="Microsoft.VisualStudio.Code.ExtensionKind" Value="workspace" />
      <Property Id="Microsoft.VisualStudio.Code.LocalizedLanguages" Value="" />
    </Properties>
    <License>extension/LICENSE.txt</License>
  </Metadata>
  <Installation>
    <InstallationTarget Id="Microsoft.VisualStudio.Code"/>
  </Installation>
  <Dependencies/>
  <Assets>
    <Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true" />
    <Asset Type="Microsoft.VisualStudio.Services.Content.Details" Path="extension/README.md" Addressable="true" />
    <Asset Type="Microsoft.VisualStudio.Services.Content.License" Path="extension/LICENSE.txt" Addressable="true" />
  </Assets>
</PackageManifest>
`),
);
files.set(
  '[Content_Types].xml',
  Buffer.from(
    '<?xml version="1.0" encoding="utf-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension=".json" ContentType="application/json"/><Default Extension=".js" ContentType="application/javascript"/><Default Extension=".md" ContentType="text/markdown"/><Default Extension=".txt" ContentType="text/plain"/><Default Extension=".svg" ContentType="image/svg+xml"/><Default Extension=".py" ContentType="text/x-python"/><Default Extension=".vsixmanifest" ContentType="text/xml"/></Types>\n',
  ),
);

await fs.writeFile(out, zip(files));
process.stdout.write(`${path.relative(repo, out)}: ${files.size} files\n`);

/** A zip archive (deflate, fixed timestamps so the same input gives the same bytes). */
function zip(entries) {
  const local = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
    const nameBuf = Buffer.from(name);
    const body = zlib.deflateRawSync(data, { level: 9 });
    const crc = zlib.crc32(data);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(0x0800, 6);
    head.writeUInt16LE(8, 8);
    head.writeUInt16LE(0, 10);
    head.writeUInt16LE(0x21, 12);
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(body.length, 18);
    head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(nameBuf.length, 26);
    head.writeUInt16LE(0, 28);
    local.push(head, nameBuf, body);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0x0800, 8);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt16LE(0, 12);
    dir.writeUInt16LE(0x21, 14);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(body.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(nameBuf.length, 28);
    dir.writeUInt32LE(0, 30);
    dir.writeUInt32LE(0, 34);
    dir.writeUInt32LE(0, 38);
    dir.writeUInt32LE(offset, 42);
    central.push(dir, nameBuf);
    offset += head.length + nameBuf.length + body.length;
  }
  const centralBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.size, 8);
  end.writeUInt16LE(entries.size, 10);
  end.writeUInt32LE(centralBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, centralBuf, end]);
}
