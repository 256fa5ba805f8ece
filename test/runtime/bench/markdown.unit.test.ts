import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markdownCell, markdownTable, withUnit } from '@kael/runtime/bench/markdown';

describe('the README performance table', () => {
  it('prints a header, one line per row and the machine and date it was measured on', () => {
    const table = markdownTable(
      [
        {
          measure: 'sequential p50',
          kael: '0.17 ms',
          reference: '0.16 ms',
          ratio: '1.04×',
          target: '≤ 1.05×',
        },
        { measure: 'restart', kael: '900 ms', reference: '', ratio: '', target: '' },
      ],
      '2 × Some CPU',
      new Date('2026-11-26T05:00:00Z'),
    );
    assert.equal(
      table,
      [
        '| measure | kael | same-run reference | ratio | target |',
        '|---|---|---|---|---|',
        '| sequential p50 | 0.17 ms | 0.16 ms | 1.04× | ≤ 1.05× |',
        '| restart | 900 ms |  |  |  |',
        '',
        'Measured by `npm run bench -- --markdown` on 2 × Some CPU, 2026-11-26.',
      ].join('\n'),
    );
  });

  it('escapes pipes and flattens line breaks inside a cell', () => {
    assert.equal(markdownCell('a | b\n  c '), 'a \\| b c');
  });

  it('says numbers with their unit, rounded, and a dash for what was not measured', () => {
    assert.equal(withUnit(0.171234, 'ms'), '0.171 ms');
    assert.equal(withUnit(1.5, '×'), '1.5×');
    assert.equal(withUnit(1234.6, 'ms', 0), '1235 ms');
    assert.equal(withUnit(42, ''), '42');
    assert.equal(withUnit(NaN, 'MB'), '–');
  });
});
