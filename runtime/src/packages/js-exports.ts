import ts from 'typescript';
import type { EntrySyntaxError, ExportKind, ModuleExports } from '../model/module-exports.js';

/**
 * Reads a JS/TS module's exports statically: ESM `export function|const|class|{…}|default|* as`,
 * TypeScript `export =`, and CommonJS `exports.f =`, `module.exports.f =`, `module.exports = {…}`
 * (also through a local object). User code is never run. Any other use of `exports` makes the
 * result `dynamic`, so a module this reader does not understand is never reported as lacking a name.
 */
export function readModuleExports(text: string, fileName: string): ModuleExports {
  const source = ts.createSourceFile(
    fileName,
    text,
    ts.ScriptTarget.Latest,
    true,
    /\.[cm]?ts$/.test(fileName) ? ts.ScriptKind.TS : ts.ScriptKind.JS,
  );
  const locals = localKinds(source);
  const objects = localObjects(source);
  const names = new Map<string, ExportKind>();
  let dynamic = false;
  for (const st of source.statements) {
    const exported =
      ts.canHaveModifiers(st) &&
      (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const isDefault =
      exported && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    if (exported && (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st))) {
      const name = isDefault ? 'default' : st.name?.text;
      if (name !== undefined) names.set(name, 'function');
    } else if (exported && ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations)
        if (ts.isIdentifier(d.name)) names.set(d.name.text, kindOf(d.initializer, locals));
        else dynamic = true;
    } else if (exported && (ts.isEnumDeclaration(st) || ts.isModuleDeclaration(st))) {
      if (ts.isIdentifier(st.name)) names.set(st.name.text, 'value');
    } else if (ts.isExportDeclaration(st)) {
      if (st.isTypeOnly) continue;
      if (st.exportClause === undefined) dynamic = true;
      else if (ts.isNamespaceExport(st.exportClause)) names.set(st.exportClause.name.text, 'value');
      else
        for (const el of st.exportClause.elements)
          names.set(
            el.name.text,
            st.moduleSpecifier === undefined
              ? (locals.get((el.propertyName ?? el.name).text) ?? 'unknown')
              : 'unknown',
          );
    } else if (ts.isExportAssignment(st)) {
      // `export = x` replaces the module like `module.exports = x`; `export default x` adds `default`.
      if (st.isExportEquals === true) dynamic = assignWhole(st.expression, locals, objects, names) || dynamic;
      else names.set('default', kindOf(st.expression, locals));
    } else if (ts.isExpressionStatement(st) && isCommonJsAssignment(st.expression)) {
      const whole = readCommonJs(st.expression, locals, objects, names);
      // `module.exports = …` replaces everything before it, including what made it unknowable.
      if (whole !== undefined) dynamic = whole;
    } else if (mentionsExports(st, source)) {
      dynamic = true;
    }
  }
  return { names, dynamic, syntaxErrors: syntaxErrorsOf(source) };
}

function syntaxErrorsOf(source: ts.SourceFile): EntrySyntaxError[] {
  // The parser's own diagnostics: what makes Node (or the TypeScript transpiler) refuse the file.
  const diagnostics = (source as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics;
  return (diagnostics ?? []).map((d) => {
    const { line, character } = source.getLineAndCharacterOfPosition(d.start ?? 0);
    return { message: ts.flattenDiagnosticMessageText(d.messageText, ' '), line, character };
  });
}

/** True when a statement this reader did not understand touches `exports` or `module.exports`. */
function mentionsExports(st: ts.Statement, source: ts.SourceFile): boolean {
  return /\bexports\b/.test(st.getText(source));
}

function localKinds(source: ts.SourceFile): Map<string, ExportKind> {
  const out = new Map<string, ExportKind>();
  for (const st of source.statements) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name !== undefined)
      out.set(st.name.text, 'function');
    else if (ts.isVariableStatement(st))
      for (const d of st.declarationList.declarations)
        if (ts.isIdentifier(d.name)) out.set(d.name.text, kindOf(d.initializer, out));
  }
  return out;
}

/** Top-level `const x = { … }` objects, so `module.exports = x` can be read. */
function localObjects(source: ts.SourceFile): Map<string, ts.ObjectLiteralExpression> {
  const out = new Map<string, ts.ObjectLiteralExpression>();
  for (const st of source.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations)
      if (ts.isIdentifier(d.name) && d.initializer !== undefined) {
        const init = unwrap(d.initializer);
        if (ts.isObjectLiteralExpression(init)) out.set(d.name.text, init);
      }
  }
  return out;
}

function unwrap(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e))
    e = e.expression;
  return e;
}

function kindOf(expr: ts.Expression | undefined, locals: ReadonlyMap<string, ExportKind>): ExportKind {
  if (expr === undefined) return 'value';
  const e = unwrap(expr);
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e) || ts.isClassExpression(e)) return 'function';
  if (ts.isIdentifier(e)) return locals.get(e.text) ?? 'unknown';
  if (
    ts.isCallExpression(e) ||
    ts.isPropertyAccessExpression(e) ||
    ts.isElementAccessExpression(e) ||
    ts.isAwaitExpression(e) ||
    ts.isConditionalExpression(e) ||
    ts.isBinaryExpression(e) ||
    ts.isNewExpression(e)
  )
    return 'unknown';
  return 'value';
}

function isCommonJsAssignment(expr: ts.Expression): expr is ts.BinaryExpression {
  if (!ts.isBinaryExpression(expr) || expr.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const target = expr.left.getText();
  return (
    target === 'module.exports' ||
    (ts.isPropertyAccessExpression(expr.left) &&
      (expr.left.expression.getText() === 'exports' || expr.left.expression.getText() === 'module.exports'))
  );
}

/**
 * Reads `exports.f = …`, `module.exports.f = …` or `module.exports = …` into `names`.
 * @returns for a whole replacement, whether the new exports are unknowable; undefined otherwise.
 */
function readCommonJs(
  expr: ts.BinaryExpression,
  locals: ReadonlyMap<string, ExportKind>,
  objects: ReadonlyMap<string, ts.ObjectLiteralExpression>,
  names: Map<string, ExportKind>,
): boolean | undefined {
  const target = expr.left;
  if (ts.isPropertyAccessExpression(target) && target.getText() !== 'module.exports') {
    // `exports.a = exports.b = f` exports both names.
    let value = expr.right;
    const chained = [target.name.text];
    while (
      ts.isBinaryExpression(value) &&
      isCommonJsAssignment(value) &&
      ts.isPropertyAccessExpression(value.left)
    ) {
      if (value.left.getText() === 'module.exports') break;
      chained.push(value.left.name.text);
      value = value.right;
    }
    for (const name of chained) names.set(name, kindOf(value, locals));
    return undefined;
  }
  names.clear();
  return assignWhole(expr.right, locals, objects, names);
}

/** Reads `module.exports = x` / `export = x`; returns true when the result cannot be known. */
function assignWhole(
  right: ts.Expression,
  locals: ReadonlyMap<string, ExportKind>,
  objects: ReadonlyMap<string, ts.ObjectLiteralExpression>,
  names: Map<string, ExportKind>,
): boolean {
  const e = unwrap(right);
  const object = ts.isIdentifier(e) ? objects.get(e.text) : ts.isObjectLiteralExpression(e) ? e : undefined;
  if (object === undefined) return true;
  for (const p of object.properties) {
    if (ts.isMethodDeclaration(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)))
      names.set(p.name.text, 'function');
    else if (ts.isShorthandPropertyAssignment(p))
      names.set(p.name.text, locals.get(p.name.text) ?? 'unknown');
    else if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)))
      names.set(p.name.text, kindOf(p.initializer, locals));
    else return true;
  }
  return false;
}
