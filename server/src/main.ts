#!/usr/bin/env node
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './lsp/server.js';

// stdout is the LSP channel: nothing else may be written to it. The transport (--stdio, --node-ipc,
// --socket) is taken from the command line by createConnection.
startServer(createConnection(ProposedFeatures.all));
