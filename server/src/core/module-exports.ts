import ts from 'typescript';

/** What an export is, as far as reading the source tells. */
export type ExportKind = 'function' | 'value' | 'unknown';

/** The exports of a module read from its text, without running it. */
export interface ModuleExports {
  names: Map<string, ExportKind>;
  /** True when some exports cannot be known statically (`export *`, `module.exports = require(...)`). */
  dynamic: boolean;
}

/**
 * Reads a JS/TS module's exports statically: ESM `export function|const|class|{…}|default`, and
 * CommonJS `exports.f =`, `module.exports.f =`, `module.exports = { … }`. User code is never run.
 */
export function readModuleExports(text: string, fileName: string): ModuleExports {
  const source = ts.createSourceFile(
    fileName,
    text,
    ts.ScriptTarget.Latest,
    true,
    fileName.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS,
  );
  const locals = localKinds(source);
  const names = new Map<string, ExportKind>();
  let dynamic = false;
  for (const st of source.statements) {
    const exported =
      ts.canHaveModifiers(st) &&
      (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (exported && ts.isFunctionDeclaration(st) && st.name !== undefined)
      names.set(st.name.text, 'function');
    else if (exported && ts.isClassDeclaration(st) && st.name !== undefined) names.set(st.name.text, 'value');
    else if (exported && ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations)
        if (ts.isIdentifier(d.name)) names.set(d.name.text, kindOf(d.initializer, locals));
    } else if (ts.isExportDeclaration(st)) {
      if (st.exportClause === undefined) dynamic = true;
      else if (ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements)
          names.set(
            el.name.text,
            st.moduleSpecifier === undefined
              ? (locals.get((el.propertyName ?? el.name).text) ?? 'unknown')
              : 'unknown',
          );
      }
    } else if (ts.isExportAssignment(st)) names.set('default', kindOf(st.expression, locals));
    else if (ts.isExpressionStatement(st)) dynamic = readCommonJs(st.expression, locals, names) || dynamic;
  }
  return { names, dynamic };
}

function localKinds(source: ts.SourceFile): Map<string, ExportKind> {
  const out = new Map<string, ExportKind>();
  for (const st of source.statements) {
    if (ts.isFunctionDeclaration(st) && st.name !== undefined) out.set(st.name.text, 'function');
    else if (ts.isClassDeclaration(st) && st.name !== undefined) out.set(st.name.text, 'value');
    else if (ts.isVariableStatement(st))
      for (const d of st.declarationList.declarations)
        if (ts.isIdentifier(d.name)) out.set(d.name.text, kindOf(d.initializer, out));
  }
  return out;
}

function kindOf(expr: ts.Expression | undefined, locals: ReadonlyMap<string, ExportKind>): ExportKind {
  if (expr === undefined) return 'value';
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e))
    e = e.expression;
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return 'function';
  if (ts.isIdentifier(e)) return locals.get(e.text) ?? 'unknown';
  if (ts.isCallExpression(e) || ts.isPropertyAccessExpression(e) || ts.isAwaitExpression(e)) return 'unknown';
  return 'value';
}

/** `exports.f = …`, `module.exports.f = …`, `module.exports = {…}`; returns true when the exports become unknowable. */
function readCommonJs(
  expr: ts.Expression,
  locals: ReadonlyMap<string, ExportKind>,
  names: Map<string, ExportKind>,
): boolean {
  if (!ts.isBinaryExpression(expr) || expr.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const target = expr.left;
  const text = target.getText();
  if (
    ts.isPropertyAccessExpression(target) &&
    (target.expression.getText() === 'exports' || target.expression.getText() === 'module.exports')
  ) {
    names.set(target.name.text, kindOf(expr.right, locals));
    return false;
  }
  if (text !== 'module.exports') return false;
  if (!ts.isObjectLiteralExpression(expr.right)) return true;
  for (const p of expr.right.properties) {
    if (ts.isMethodDeclaration(p) && ts.isIdentifier(p.name)) names.set(p.name.text, 'function');
    else if (ts.isShorthandPropertyAssignment(p))
      names.set(p.name.text, locals.get(p.name.text) ?? 'unknown');
    else if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)))
      names.set(p.name.text, kindOf(p.initializer, locals));
    else if (ts.isSpreadAssignment(p)) return true;
  }
  return false;
}
