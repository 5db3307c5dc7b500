/**
 * The load generator, run as a child process so its CPU use and GC pauses are not on the
 * orchestrator's event loop. Started with fork(); receives one LoadJob, answers with a LoadResult
 * and exits.
 *
 * Closed loop: `concurrency` requests are always in flight (each answer triggers the next request);
 * this measures the highest accepted rate. Open loop: requests arrive at a fixed rate whatever the
 * server does, and latency is measured from the scheduled arrival, so queueing shows up in the
 * percentiles (no coordinated omission).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { BodyFactory, buildTemplates } from './payloads';
import type { LoadJob, LoadMessage, LoadResult } from './protocol';
import { Samples } from './stats';

const USER_AGENT = 'sentry.javascript.node/11.12.0';
/** Open loop: arrivals beyond this many unanswered requests are skipped (counted) instead of piling up. */
const MAX_OUTSTANDING = 5000;
/** How often the orchestrator hears how many events were acknowledged so far. */
const ACCEPTED_EVERY_MS = 200;

function send(message: LoadMessage): void {
  process.send?.(message);
}

function run(job: LoadJob): Promise<LoadResult> {
  const factory = new BodyFactory(
    buildTemplates(job.publicKey),
    `${job.label.length}${Date.now().toString(16)}`.slice(-8),
  );
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: job.concurrency,
    maxFreeSockets: job.concurrency,
  });
  const latencies = new Samples();
  const failures: Record<string, number> = {};
  const perSecond: number[] = Array.from({ length: Math.ceil(job.durationMs / 1000) }, () => 0);
  let sampleFailure: string | undefined;
  let sent = 0;
  let okInWindow = 0;
  let okTotal = 0;
  let outstanding = 0;
  let skipped = 0;
  let consecutiveErrors = 0;
  let t0 = 0;
  let deadline = Infinity;
  let stopped = false;

  return new Promise<LoadResult>((resolve) => {
    let finishTimer: NodeJS.Timeout | undefined;
    let cpuAtStart = process.cpuUsage();
    let cpuWindow: NodeJS.CpuUsage | undefined;
    let finished = false;

    const finish = () => {
      if (finished) return;
      finished = true;
      if (finishTimer) clearTimeout(finishTimer);
      clearInterval(acceptedTimer);
      const cpu = cpuWindow ?? process.cpuUsage(cpuAtStart);
      const windowMs = deadline - t0;
      agent.destroy();
      resolve({
        label: job.label,
        mode: job.mode,
        sent,
        okInWindow,
        okTotal,
        failures,
        skipped,
        abandoned: outstanding,
        windowMs,
        latency: latencies.summary(),
        perSecond,
        cpuCores: (cpu.user + cpu.system) / 1000 / windowMs,
        sampleFailure,
      });
    };

    const afterDeadline = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(acceptedTimer);
      send({ type: 'accepted', okTotal });
      send({ type: 'deadline', at: Date.now() });
      cpuWindow = process.cpuUsage(cpuAtStart);
      if (outstanding === 0) finish();
      else finishTimer = setTimeout(finish, job.graceMs);
    };

    const onAnswer = (status: number, scheduledAt: number, detail?: string) => {
      outstanding -= 1;
      const now = performance.now();
      if (status === 200) {
        consecutiveErrors = 0;
        okTotal += 1;
        latencies.add(now - scheduledAt);
        if (now <= deadline) {
          okInWindow += 1;
          const second = Math.floor((now - t0) / 1000);
          if (second < perSecond.length) perSecond[second] += 1;
        }
      } else {
        const key = status < 0 ? 'error' : String(status);
        failures[key] = (failures[key] ?? 0) + 1;
        sampleFailure ??= `${key}: ${detail ?? ''}`.slice(0, 300);
        consecutiveErrors += 1;
        // A dead server would otherwise make a closed loop spin on instant connection errors.
        if (consecutiveErrors > 2000 && !stopped) {
          deadline = Math.min(deadline, now);
          afterDeadline();
          return;
        }
      }
      if (stopped && outstanding === 0) {
        finish();
        return;
      }
      if (job.mode === 'closed' && !stopped) {
        if (now < deadline) request(now);
      }
    };

    const request = (scheduledAt: number) => {
      const body = factory.nextBody();
      sent += 1;
      outstanding += 1;
      let answered = false;
      const answer = (status: number, detail?: string) => {
        if (answered) return;
        answered = true;
        onAnswer(status, scheduledAt, detail);
      };
      const req = http.request(
        {
          agent,
          host: job.host,
          port: job.port,
          path: job.path,
          method: 'POST',
          headers: { 'user-agent': USER_AGENT, 'content-length': body.length },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status === 200) {
            res.on('data', ignore);
            res.on('end', () => answer(200));
          } else {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => answer(status, text));
          }
          res.on('error', (err) => answer(-1, err.message));
        },
      );
      req.on('error', (err) => answer(-1, err.message));
      req.end(body);
    };

    t0 = performance.now();
    deadline = t0 + job.durationMs;
    cpuAtStart = process.cpuUsage();
    // The finish and deadline handlers above stop it; they run only once requests are under way.
    const acceptedTimer = setInterval(() => send({ type: 'accepted', okTotal }), ACCEPTED_EVERY_MS);

    if (job.mode === 'closed') {
      for (let i = 0; i < job.concurrency; i++) request(t0);
      setTimeout(afterDeadline, job.durationMs);
      return;
    }

    const interval = 1000 / job.rate;
    const total = Math.floor((job.durationMs / 1000) * job.rate);
    let scheduled = 0;
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - t0) / interval) + 1);
      while (scheduled < due) {
        const at = t0 + scheduled * interval;
        scheduled += 1;
        if (outstanding >= MAX_OUTSTANDING) skipped += 1;
        else request(at);
      }
      if (scheduled < total && now < deadline) setTimeout(tick, 1);
      else setTimeout(afterDeadline, Math.max(0, deadline - performance.now()));
    };
    tick();
  });
}

function ignore(): void {}

process.on('message', (message: LoadJob) => {
  if (message.type !== 'run') return;
  run(message).then(
    (result) => {
      send({ type: 'result', result });
      process.disconnect?.();
      setTimeout(() => process.exit(0), 100).unref();
    },
    (error: unknown) => {
      send({ type: 'fatal', message: String(error) });
      process.exit(1);
    },
  );
});
// The orchestrator going away must not leave a generator running.
process.on('disconnect', () => setTimeout(() => process.exit(0), 50).unref());
send({ type: 'ready' });
