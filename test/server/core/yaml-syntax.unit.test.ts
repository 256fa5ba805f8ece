import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseSettingText } from '@kael/runtime';

const FILE = path.join('/pkg', 'setting.yaml');

/** The syntax problems of a text as [first line, first char, last line, last char, message]. */
function syntax(text: string): [number, number, number, number, string][] {
  return parseSettingText(text, FILE).problems.map((p) => {
    assert.equal(p.code, 'yaml-syntax');
    const r = p.range ?? { start: { line: -1, character: -1 }, end: { line: -1, character: -1 } };
    return [r.start.line, r.start.character, r.end.line, r.end.character, p.message];
  });
}

describe('YAML syntax errors', () => {
  const cases: [string, string, [number, number, number, number, string][]][] = [
    [
      'an unclosed [ on the line that opens it, not where the file ends',
      'type: service\npublish: [add, minus\nversion: 1\n',
      [
        [
          1,
          9,
          1,
          20,
          'YAML syntax error: the list opened with [ is not closed: add ] at its end (YAML: Flow sequence in block collection must be sufficiently indented and end with a ])',
        ],
      ],
    ],
    [
      'an unclosed quote on the line that opens it',
      "type: crontab\npublish:\n  - ['* * * * *, write.py]\nversion: 1\n",
      [
        [
          2,
          5,
          2,
          26,
          "YAML syntax error: this quoted text is never closed: add the closing ' (YAML: Missing closing 'quote)",
        ],
      ],
    ],
    [
      'an unquoted schedule starting with *',
      'type: crontab\npublish:\n  - [* * * * *, write.py]\n',
      [
        [
          2,
          5,
          2,
          25,
          "YAML syntax error: a value that starts with * must be quoted (YAML reads *name as a reference): write e.g. '* * * * *' (YAML: Alias cannot be an empty string)",
        ],
      ],
    ],
    [
      'a tab used for indentation',
      'type: service\npublish:\n\t- add\n',
      [
        [
          2,
          0,
          2,
          1,
          'YAML syntax error: indent with spaces: YAML does not allow tabs here (YAML: Tabs are not allowed as indentation)',
        ],
      ],
    ],
    [
      'a key without its colon',
      'type: service\nservice_base_name calc\nversion: 1\n',
      [
        [
          1,
          0,
          1,
          22,
          'YAML syntax error: this line is not "key: value": is the ":" (followed by a space) missing? (YAML: Implicit keys need to be on a single line)',
        ],
      ],
    ],
    [
      'a key indented under a key that has a value, on the indented line',
      'type: service\n  version: 1\n',
      [
        [
          1,
          2,
          1,
          12,
          'YAML syntax error: this line is indented under a key that already has a value: align it with the keys above (YAML: Nested mappings are not allowed in compact mappings)',
        ],
      ],
    ],
    [
      'a list item out of line with the others',
      'type: service\npublish:\n  - add\n - minus\n',
      [
        [
          3,
          1,
          3,
          8,
          'YAML syntax error: the indentation of this line does not match the lines above it (YAML: A block sequence may not be used as an implicit map key)',
        ],
      ],
    ],
    [
      'a key given twice',
      'type: service\ntype: crontab\n',
      [
        [
          1,
          0,
          1,
          4,
          'YAML syntax error: "type" appears twice in this mapping; keep one of them (YAML: Map keys must be unique)',
        ],
      ],
    ],
    [
      'a missing comma in a flow list',
      "type: crontab\npublish:\n  - ['* * * * *' write.py]\n",
      [
        [
          2,
          17,
          2,
          18,
          'YAML syntax error: a comma is missing between two items of this list (YAML: Missing , or : between flow sequence items)',
        ],
      ],
    ],
  ];
  for (const [what, text, expected] of cases) {
    it(`places ${what}, in plain words`, () => {
      assert.deepEqual(syntax(text), expected);
    });
  }
});
