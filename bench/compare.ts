/**
 * Two builds side by side: `npm run bench:compare -- --baseline=/path/to/old/core/dist/cli/main.js`.
 *
 * Runs `ingest.ts` alternately against the baseline build (BENCH_CLI) and this checkout's build,
 * `--runs` times each (default 5), so that the machine's drift during the session falls on both
 * alike, then prints the median of each figure per build and the ratio of this checkout to the
 * baseline. Single runs on this machine vary by ±30 %; medians of interleaved runs are what the
 * README's performance figures quote. Every other flag (`--duration`, `--database`, …) is handed
 * to each `ingest.ts` run. Writes bench/results/compare-latest.json.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runBenchmark, log } from './lib/harness';
import { BenchFlags } from './lib/flags';
import { fmtInt, table } from './lib/stats';

const BENCH_DIR = __dirname.endsWith(`${path.sep}dist`) ? path.resolve(__dirname, '..') : __dirname;
const OWN_FLAGS = new Set(['baseline', 'runs']);

/** The figures compared, read from one ingest.ts JSON line; higher is better unless `lower`. */
const FIGURES: { name: string; lower?: boolean; read: (r: IngestResult) => number }[] = [
  { name: 'accepted events/s (closed loop)', read: (r) => r.acceptedPerSecond },
  { name: 'processed events/s during load', read: (r) => r.processedPerSecond },
  { name: 'processed events/s end to end', read: (r) => r.processedPerSecondEndToEnd },
  { name: 'bare server req/s (same run)', read: (r) => r.bare.requestsPerSecond },
  { name: 'ratio to bare', read: (r) => r.ratioToBare },
  { name: 'open loop p99 ack ms', lower: true, read: (r) => r.openLoop.p99AckMs },
  { name: 'drain after closed loop s', lower: true, read: (r) => r.queueLagAtStop.secondsToDrain },
  // Postgres runs name http, pipeline and postgres; embedded ones mainThread and otherThreads.
  ...['http', 'pipeline', 'postgres', 'mainThread', 'otherThreads'].map((part) => ({
    name: `CPU µs/event ${part}`,
    lower: true,
    read: (r: IngestResult) => r.closed.cpuMicrosPerEvent?.[part] ?? NaN,
  })),
];

interface IngestResult {
  acceptedPerSecond: number;
  processedPerSecond: number;
  processedPerSecondEndToEnd: number;
  ratioToBare: number;
  bare: { requestsPerSecond: number };
  openLoop: { p99AckMs: number };
  queueLagAtStop: { secondsToDrain: number };
  closed: { cpuMicrosPerEvent?: Record<string, number> };
}

const fmtFigure = (v: number) => (Math.abs(v) < 10 ? v.toFixed(3) : v.toFixed(1));

function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One ingest.ts run; resolves with its JSON line (the line that parses and has acceptedPerSecond). */
function runIngest(args: string[], cli: string | undefined): Promise<IngestResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    if (cli) env.BENCH_CLI = cli;
    else delete env.BENCH_CLI;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'ingest.ts'), ...args], {
      cwd: BENCH_DIR,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{') && l.includes('"acceptedPerSecond"'));
      if (code !== 0 || !line) reject(new Error(`ingest.ts exited with ${code}:\n${out.slice(-2000)}`));
      else resolve(JSON.parse(line) as IngestResult);
    });
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flags = new BenchFlags(argv);
  const baseline = flags.text('baseline', 'BENCH_BASELINE_CLI');
  if (!baseline || !fs.existsSync(baseline)) {
    throw new Error(
      '--baseline / BENCH_BASELINE_CLI must name the core/dist/cli/main.js of the build to compare with',
    );
  }
  const runs = flags.num('runs', 'BENCH_RUNS', 5, 1, 50);
  const passThrough = argv.filter((a) => !OWN_FLAGS.has(/^--([a-z-]+)/.exec(a)?.[1] ?? ''));
  const builds = [
    { name: 'baseline', cli: path.resolve(baseline), results: [] as IngestResult[] },
    { name: 'this checkout', cli: undefined, results: [] as IngestResult[] },
  ];
  for (let i = 0; i < runs; i++) {
    // Alternate which build goes first, so neither always runs on the warmer (or more tired) machine.
    const order = i % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) {
      log(`run ${i + 1}/${runs}: ${build.name}`);
      const result = await runIngest(passThrough, build.cli);
      build.results.push(result);
      log(
        `  ${build.name}: accepted ${fmtInt(result.acceptedPerSecond)}/s, processed ${fmtInt(result.processedPerSecond)}/s, ` +
          `bare ${fmtInt(result.bare.requestsPerSecond)} req/s`,
      );
    }
  }
  const rows = [['figure', 'baseline (median)', 'this checkout (median)', 'ratio']];
  const summary: Record<string, { baseline: number; current: number; ratio: number; runs: number[][] }> = {};
  for (const figure of FIGURES) {
    const [base, current] = builds.map((b) => b.results.map(figure.read));
    if (![...base, ...current].some(Number.isFinite)) continue; // not measured in this mode
    const b = median(base);
    const c = median(current);
    const ratio = figure.lower ? b / c : c / b;
    summary[figure.name] = { baseline: b, current: c, ratio, runs: [base, current] };
    rows.push([
      figure.name,
      fmtFigure(b),
      fmtFigure(c),
      `${ratio.toFixed(2)}×${figure.lower ? ' (lower is better)' : ''}`,
    ]);
  }
  process.stdout.write(
    `\nFaultline ingestion, ${runs} interleaved runs per build (args: ${passThrough.join(' ') || 'defaults'})\n` +
      `baseline: ${baseline}\n\n${table(rows)}\n\n`,
  );
  const resultsDir = path.join(BENCH_DIR, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const record = {
    benchmark: 'compare',
    at: new Date().toISOString(),
    baseline,
    runs,
    args: passThrough,
    summary,
  };
  fs.writeFileSync(path.join(resultsDir, 'compare-latest.json'), JSON.stringify(record, null, 2) + '\n');
  process.stdout.write(JSON.stringify(record) + '\n');
}

runBenchmark(main);
