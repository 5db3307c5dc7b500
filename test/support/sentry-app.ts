/**
 * A tiny application instrumented with the official @sentry/node SDK, run as its own process by
 * sentry-node-sdk.test.ts: `node --import tsx test/support/sentry-app.ts` with FAULTLINE_DSN set.
 *
 * It reports what it sent as JSON lines on stdout. After the first error it waits for a line on
 * stdin, so the test can let the server store it first and "the first event" is well defined.
 */
import readline from 'node:readline';
import * as Sentry from '@sentry/node';

const dsn = process.env.FAULTLINE_DSN;
if (!dsn) throw new Error('FAULTLINE_DSN is not set');

Sentry.init({ dsn, release: 'e2e@1.0.0', environment: 'e2e' });

function findOrder(id: number): never {
  throw new Error(`Order ${id} not found`);
}

function chargeCard(amountCents: number): never {
  throw new TypeError(`Card declined for amount ${amountCents}`);
}

function captureFrom(fn: () => void): string {
  try {
    fn();
  } catch (error) {
    return Sentry.captureException(error);
  }
  throw new Error('expected the function to throw');
}

function report(step: string, eventId: string): void {
  process.stdout.write(JSON.stringify({ step, eventId }) + '\n');
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function main(): Promise<void> {
  const stdin = readline.createInterface({ input: process.stdin });
  const lines = stdin[Symbol.asyncIterator]();
  const users = [
    { id: 'buyer-1', email: 'buyer-1@example.com' },
    { id: 'buyer-2', email: 'buyer-2@example.com' },
  ];
  const orders = [8123, 99];
  for (let i = 0; i < orders.length; i++) {
    // Each capture starts from the same (resumed) stack, so both errors have identical frames.
    await nextTick();
    Sentry.setUser(users[i]);
    const eventId = captureFrom(() => findOrder(orders[i]));
    await Sentry.flush(5000);
    report(`order-${orders[i]}`, eventId);
    if (i === 0) await lines.next();
  }
  await nextTick();
  Sentry.setUser(users[0]);
  report(
    'charge',
    captureFrom(() => chargeCard(250)),
  );
  Sentry.setUser(null);
  report('message', Sentry.captureMessage('Payment provider timeout after 3000 ms', 'warning'));
  const flushed = await Sentry.flush(5000);
  report(flushed ? 'flushed' : 'flush-timeout', '');
  stdin.close();
  process.stdin.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
