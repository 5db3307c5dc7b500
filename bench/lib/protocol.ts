/** Messages between the orchestrator (ingest.ts) and its child processes. */

export interface LoadJob {
  type: 'run';
  /** Phase label, also used to make event ids unique per phase. */
  label: string;
  host: string;
  port: number;
  path: string;
  publicKey: string;
  mode: 'closed' | 'open';
  /** Closed loop: requests in flight. Open loop: sockets in the keep-alive pool. */
  concurrency: number;
  /** Open loop: arrivals per second. */
  rate: number;
  durationMs: number;
  /** Requests answered later than this after the deadline are abandoned. */
  graceMs: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  label: string;
  mode: 'closed' | 'open';
  /** Requests sent (open loop: arrivals scheduled and sent). */
  sent: number;
  /** 200 answers received before the deadline. */
  okInWindow: number;
  /** All 200 answers, including the ones that arrived after the deadline. */
  okTotal: number;
  /** Non-200 answers by status, and transport errors under "error". */
  failures: Record<string, number>;
  /** Open loop: arrivals that could not be sent because too many requests were outstanding. */
  skipped: number;
  /** Requests still unanswered when the grace period ended. */
  abandoned: number;
  windowMs: number;
  /** Latency in ms of 200 answers; open loop measures from the scheduled arrival time. */
  latency: LatencySummary;
  /** 200 answers per second of the window, for the time series. */
  perSecond: number[];
  /** CPU the generator used during the window, in cores (1.0 = one core busy). */
  cpuCores: number;
  sampleFailure?: string;
}

export type LoadMessage =
  | { type: 'ready' }
  /** 200 answers so far, sent while the load runs (the embedded variant counts the queue with it). */
  | { type: 'accepted'; okTotal: number }
  | { type: 'deadline'; at: number }
  | { type: 'result'; result: LoadResult }
  | { type: 'fatal'; message: string };
