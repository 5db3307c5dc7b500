import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Work on one request runs at most this long before other requests get the event loop. */
const DEFAULT_SLICE_MS = 4;

/**
 * Cuts long synchronous work (decoding an envelope of many items) into slices: `tick()` between
 * steps resolves at once while the slice lasts and yields to the event loop once it is used up,
 * so a hostile body slows down its own answer, never everybody else's.
 */
export class TimeSlicer {
  private sliceStart = performance.now();

  constructor(private readonly sliceMs = DEFAULT_SLICE_MS) {}

  async tick(): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) return;
    await yieldToEventLoop();
    this.sliceStart = performance.now();
  }
}
