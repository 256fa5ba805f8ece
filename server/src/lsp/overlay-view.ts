import { fileURLToPath } from 'node:url';
import type { TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { diskFileView } from '@kael/runtime/config/file-view';
import type { FileView } from '@kael/runtime/config/file-view';

/** The disk with the editor's open (possibly unsaved) documents laid over it. */
export function overlayView(documents: TextDocuments<TextDocument>): FileView {
  const open = (file: string): TextDocument | undefined =>
    documents.all().find((d) => d.uri.startsWith('file:') && fileURLToPath(d.uri) === file);
  return {
    readText: async (file) => open(file)?.getText() ?? diskFileView.readText(file),
    isFile: async (p) => open(p) !== undefined || diskFileView.isFile(p),
    isDirectory: (p) => diskFileView.isDirectory(p),
    readDirectory: (dir) => diskFileView.readDirectory(dir),
  };
}
