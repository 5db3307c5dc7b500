import assert from 'node:assert/strict';
import { createReport } from './report';
import { keepEnds, keepLast, truncateString } from './trim';

describe('trim helpers', () => {
  const strings: [string, string, number, string, number | undefined][] = [
    ['short strings untouched', 'abc', 5, 'abc', undefined],
    ['long strings end in ...', 'abcdefghij', 6, 'abc...', 10],
    ['code points, not UTF-16 units', '😀'.repeat(4), 4, '😀'.repeat(4), undefined],
    ['never splits a surrogate pair', '😀'.repeat(10), 5, '😀😀...', 10],
  ];
  for (const [name, input, max, value, originalLength] of strings) {
    it(name, () =>
      assert.deepEqual(truncateString(input, max), originalLength ? { value, originalLength } : { value }),
    );
  }

  it('keepEnds keeps the first and last halves', () => {
    const report = createReport();
    assert.deepEqual(keepEnds([1, 2, 3, 4, 5, 6, 7], 4, 'p', report), [1, 2, 6, 7]);
    assert.deepEqual(report.meta.p, { '': { len: 7 } });
  });

  it('keepLast keeps the tail', () => {
    const report = createReport();
    assert.deepEqual(keepLast([1, 2, 3, 4], 2, 'p', report), [3, 4]);
    assert.deepEqual(report.meta.p, { '': { len: 4 } });
  });
});
