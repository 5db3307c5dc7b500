import assert from 'node:assert/strict';
import { GroupCommitter } from './group-commit';

/** A flush that only completes when the test says so, recording what each flush carried. */
function controlledFlush() {
  const flushes: { rows: number[]; finish: (error?: Error) => void }[] = [];
  const flush = (rows: number[]) =>
    new Promise<void>((resolve, reject) => {
      flushes.push({ rows, finish: (error) => (error ? reject(error) : resolve()) });
    });
  return { flushes, flush };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommitter', () => {
  it('answers each write once the flush holding its row has committed', async () => {
    const { flushes, flush } = controlledFlush();
    const committer = new GroupCommitter<number>(flush, { maxBatch: 100, maxInFlight: 1 });
    let done = false;
    const written = committer.write(1).then(() => (done = true));
    await tick();
    assert.deepEqual(
      flushes.map((f) => f.rows),
      [[1]],
    );
    assert.equal(done, false, 'answered before its flush committed');
    flushes[0].finish();
    await written;
    assert.equal(done, true);
  });

  it('rows written while a flush runs wait and go together in the next one', async () => {
    const { flushes, flush } = controlledFlush();
    const committer = new GroupCommitter<number>(flush, {
      maxBatch: 100,
      maxInFlight: 2,
      minRowsToOverlap: 4,
    });
    const writes = [committer.write(1), committer.write(2), committer.write(3), committer.write(4)];
    await tick();
    // The first row started a flush at once; three are too few to open a second, overlapping flush.
    assert.deepEqual(
      flushes.map((f) => f.rows),
      [[1]],
    );
    flushes[0].finish();
    await tick();
    assert.deepEqual(
      flushes.map((f) => f.rows),
      [[1], [2, 3, 4]],
    );
    flushes[1].finish();
    await Promise.all(writes);
  });

  it('opens an overlapping flush once enough rows wait', async () => {
    const { flushes, flush } = controlledFlush();
    const committer = new GroupCommitter<number>(flush, {
      maxBatch: 100,
      maxInFlight: 2,
      minRowsToOverlap: 3,
    });
    const writes = [1, 2, 3, 4].map((n) => committer.write(n));
    await tick();
    assert.deepEqual(
      flushes.map((f) => f.rows),
      [[1], [2, 3, 4]],
    );
    flushes.forEach((f) => f.finish());
    await Promise.all(writes);
    await committer.drain();
  });

  it('a failed flush rejects only its own rows', async () => {
    const { flushes, flush } = controlledFlush();
    const committer = new GroupCommitter<number>(flush, { maxBatch: 100, maxInFlight: 1 });
    const first = committer.write(1);
    await tick();
    const second = committer.write(2);
    flushes[0].finish(new Error('disk full'));
    await assert.rejects(first, /disk full/);
    await tick();
    flushes[1].finish();
    await second;
  });
});
