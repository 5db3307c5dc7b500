/**
 * Reports one unhandled-style error through the official @sentry/node SDK, flushes and exits.
 * Prints `{ step: "sent", eventId }`. Run by alerts-e2e.test.ts with FAULTLINE_DSN set.
 */
import * as Sentry from '@sentry/node';

const dsn = process.env.FAULTLINE_DSN;
if (!dsn) throw new Error('FAULTLINE_DSN is not set');

Sentry.init({ dsn, release: 'checkout@2.4.0', environment: 'production' });

function settleInvoice(invoiceId: string): never {
  throw new RangeError(`Invoice ${invoiceId} has a negative balance`);
}

async function main(): Promise<void> {
  let eventId = '';
  try {
    settleInvoice('INV-7731');
  } catch (error) {
    eventId = Sentry.captureException(error);
  }
  await Sentry.flush(10_000);
  process.stdout.write(JSON.stringify({ step: 'sent', eventId }) + '\n');
}

void main();
