import { DiagnosticSeverity } from 'vscode-languageserver/node';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { ConfigProblem } from '@kael/runtime/model/config-problem';

/** A configuration problem as an LSP diagnostic (`source: "kael"`, the problem's stable code). */
export function toDiagnostic(p: ConfigProblem): Diagnostic {
  return {
    range: p.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
    severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: p.code,
    source: 'kael',
    message: p.message,
  };
}
