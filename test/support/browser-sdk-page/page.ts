/// <reference lib="dom" />
/**
 * A shop's checkout page with the real @sentry/browser SDK, bundled by esbuild for Chromium
 * (see ../browser-sdk-page.ts). Clicking "Pay" throws from `chargeCard`, uncaught: the SDK's
 * global handlers report it, as they would on a real site.
 */
import * as Sentry from '@sentry/browser';

const dsn = new URLSearchParams(window.location.search).get('dsn');
if (!dsn) throw new Error('open this page with ?dsn=');
Sentry.init({ dsn, release: 'shop@1.4.0', environment: 'production' });
Sentry.setUser({ id: '4711', email: 'buyer@example.com' });

function chargeCard(order: string, cents: number): void {
  if (cents > 0) throw new TypeError(`Card declined for order ${order}`);
}

document.getElementById('pay')!.addEventListener('click', function onPayClick() {
  Sentry.addBreadcrumb({ category: 'checkout', message: 'pay clicked for order 5521' });
  chargeCard('5521', 4200);
});
document.body.dataset.ready = 'yes';
