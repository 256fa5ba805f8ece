export { validateDocument, validatePath, findKaelFiles } from './core/validate.js';
export { documentKind, DEFAULT_FRAME_FILE_NAMES } from './core/document-kind.js';
export type { DocumentKind } from './core/document-kind.js';
export { readModuleExports } from './core/module-exports.js';
export type { ModuleExports, ExportKind } from './core/module-exports.js';
export { complete, hover } from './core/schema-help.js';
export { publishFixes } from './core/code-actions.js';
export { ValidateWorkspaceRequest } from './protocol.js';
export type { ValidateWorkspaceResult, KaelServerOptions } from './protocol.js';
