import { promises as fs } from 'node:fs';

/**
 * The file access the configuration checks need. The runtime uses the disk; the language server
 * overlays the editor's unsaved buffers on it.
 */
export interface FileView {
  /** File text, or undefined when it does not exist or cannot be read. */
  readText(file: string): Promise<string | undefined>;
  /** True when `p` is an existing directory. */
  isDirectory(p: string): Promise<boolean>;
  /** True when `p` is an existing file. */
  isFile(p: string): Promise<boolean>;
  /** The entries of a directory (empty when it does not exist or cannot be read). */
  readDirectory(dir: string): Promise<DirectoryEntry[]>;
}

/** One entry of a directory listing. */
export interface DirectoryEntry {
  name: string;
  isDirectory: boolean;
}

/** The plain disk. */
export const diskFileView: FileView = {
  async readText(file) {
    try {
      return await fs.readFile(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  async isDirectory(p) {
    try {
      return (await fs.stat(p)).isDirectory();
    } catch {
      return false;
    }
  },
  async isFile(p) {
    try {
      return (await fs.stat(p)).isFile();
    } catch {
      return false;
    }
  },
  async readDirectory(dir) {
    try {
      return (await fs.readdir(dir, { withFileTypes: true })).map((e) => ({
        name: e.name,
        isDirectory: e.isDirectory(),
      }));
    } catch {
      return [];
    }
  },
};
