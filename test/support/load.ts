import http from 'node:http';
import { eventEnvelope, type TestEvent } from './envelopes';
import { httpRequest } from './http';

export interface LoadResult {
  /** Events the server answered 200 for, by event id (with the exact body sent). */
  acked: Map<string, TestEvent>;
  /** Requests that failed on the network (refused, reset, timed out). */
  networkErrors: number;
  /** Answers other than 200. */
  rejected: number;
}

/**
 * Concurrent senders posting unique-event-id envelopes as fast as the server answers, recording
 * every event the server acknowledged. Events spread over `groups` fingerprints (issues).
 */
export class EnvelopeLoad {
  private stopped = false;
  private readonly loops: Promise<void>[];
  private readonly agent = new http.Agent({ keepAlive: true });
  private sequence = 0;
  readonly result: LoadResult = { acked: new Map(), networkErrors: 0, rejected: 0 };

  constructor(
    private readonly url: string,
    options: { senders: number; groups: number },
  ) {
    this.loops = Array.from({ length: options.senders }, () => this.send(options.groups));
  }

  private async send(groups: number): Promise<void> {
    while (!this.stopped) {
      const n = this.sequence++;
      const event = eventEnvelope({ message: `load event ${n}`, fingerprint: ['load', String(n % groups)] });
      try {
        const res = await httpRequest(this.url, {
          method: 'POST',
          body: event.body,
          agent: this.agent,
          timeoutMs: 5000,
        });
        if (res.status === 200) this.result.acked.set(event.eventId, event);
        else this.result.rejected += 1;
      } catch {
        this.result.networkErrors += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  async stop(): Promise<LoadResult> {
    this.stopped = true;
    await Promise.all(this.loops);
    this.agent.destroy();
    return this.result;
  }
}
