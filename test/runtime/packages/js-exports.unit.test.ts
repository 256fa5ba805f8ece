import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readModuleExports } from '@kael/runtime/packages/js-exports';

function names(text: string, file = 'x.js'): [string, string][] {
  return [...readModuleExports(text, file).names];
}

describe('reading a module’s exports without running it', () => {
  it('reads ESM exports and their kinds', () => {
    const text =
      'export function a() {}\nexport const b = () => 1;\nconst c = function () {};\nexport { c as d };\nexport const e = 5;\nexport class K {}\nthrow new Error("never run");\n';
    assert.deepEqual(names(text, 'x.mjs'), [
      ['a', 'function'],
      ['b', 'function'],
      ['d', 'function'],
      ['e', 'value'],
      ['K', 'function'],
    ]);
  });

  it('reads CommonJS exports, chains and a whole replacement through a local object', () => {
    assert.deepEqual(
      names('function f() {}\nexports.g = () => 1;\nmodule.exports.h = 2;\nexports.i = exports.j = f;\n'),
      [
        ['g', 'function'],
        ['h', 'value'],
        ['i', 'function'],
        ['j', 'function'],
      ],
    );
    const api = readModuleExports(
      'exports.old = 1;\nfunction add() {}\nconst api = { add, twice: (x) => 2 * x };\nmodule.exports = api;\n',
      'x.js',
    );
    assert.deepEqual(
      [[...api.names], api.dynamic],
      [
        [
          ['add', 'function'],
          ['twice', 'function'],
        ],
        false,
      ],
    );
  });

  it('gives up (dynamic) where only running the code would tell', () => {
    for (const text of [
      'export * from "./other";',
      'module.exports = require("./impl");',
      'Object.assign(module.exports, { a() {} });',
      'if (process.env.X) { exports.a = () => 1; }',
      'for (const k of ["a"]) exports[k] = () => 1;',
    ])
      assert.equal(readModuleExports(text, 'x.js').dynamic, true, text);
  });

  it('reports syntax errors with their position', () => {
    assert.deepEqual(readModuleExports('exports.a = () => {\n', 'x.js').syntaxErrors, [
      { message: "'}' expected.", line: 1, character: 0 },
    ]);
    assert.deepEqual(
      readModuleExports('export const a = (x: number): number => x;\n', 'x.ts').syntaxErrors,
      [],
    );
  });
});
