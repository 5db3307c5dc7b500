import { SingleBar, Presets } from 'cli-progress';

/**
 * A progress bar on stderr for long CLI work (cli-progress): redrawn in place on a terminal; when
 * stderr is no terminal (a log, CI), a line every few seconds and the final one.
 */
export function progressBar(unit: string): { update(done: number, total: number): void; stop(): void } {
  const bar = new SingleBar(
    {
      format: `{bar} {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 5_000,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
