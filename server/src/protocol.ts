// Only the protocol package: the extension imports this file, and vscode-languageserver/node would
// pull the server library into the extension's bundle.
import { RequestType } from 'vscode-languageserver-protocol';
import type { Diagnostic } from 'vscode-languageserver-protocol';

/** `kael/validateWorkspace`: validates every kael file of the workspace folders (open buffers included). */
// eslint-disable-next-line @typescript-eslint/no-namespace -- the LSP convention: a request's method and type side by side
export namespace ValidateWorkspaceRequest {
  export const method = 'kael/validateWorkspace' as const;
  export const type = new RequestType<{ folders?: string[] }, ValidateWorkspaceResult, void>(method);
}

/** Diagnostics per file URI, for every kael file found. */
export interface ValidateWorkspaceResult {
  files: number;
  diagnostics: Record<string, Diagnostic[]>;
}

/** Initialization options a client may pass. */
export interface KaelServerOptions {
  /** File names read as frame configs. @default ['frame.yaml', 'frame.yml', 'frame_pkg_setting.yaml'] */
  frameFileNames?: string[];
}
