import assert from 'node:assert/strict';
import { cursorOf } from './cursors';

describe("Sentry's Link header", () => {
  const link =
    '<http://x/api/0/projects/o/p/issues/?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", ' +
    '<http://x/api/0/projects/o/p/issues/?cursor=0:25:0>; rel="next"; results="true"; cursor="0:25:0"';

  it('gives the cursor of a page that has results, and none for a page that has not', () => {
    assert.equal(cursorOf(link, 'next'), '0:25:0');
    assert.equal(cursorOf(link, 'previous'), undefined);
    assert.equal(cursorOf(null, 'next'), undefined);
  });
});
