import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createElement } from 'react';
import type { IssueEvent } from '../api/issues';
import { renderMarkup, textOf } from '../testing/render';
import { EventView } from './EventView';

/**
 * Real events: what the API answers for the captured @sentry/node and @sentry/browser traffic
 * (test/fixtures/api-events/latest-events.json, written by its capture.ts).
 */
const EVENTS = JSON.parse(
  fs.readFileSync(new URL('../../../test/fixtures/api-events/latest-events.json', import.meta.url), 'utf8'),
) as IssueEvent[];

function eventTitled(title: string, withEntry: string): IssueEvent {
  const found = EVENTS.find((e) => e.title === title && e.entries.some((entry) => entry.type === withEntry));
  assert.ok(found, `no fixture event "${title}" with ${withEntry}`);
  return found;
}

/** The page's markup for an event, and its text. */
function render(event: IssueEvent) {
  const html = renderMarkup(createElement(EventView, { event }));
  return { html, text: textOf(html) };
}

describe('web: an event rendered from real SDK events', () => {
  it('shows a cause chain with the thrown exception first and its cause after, each with its frames', () => {
    const event = eventTitled('Error: Could not load cart for checkout', 'exception');
    const { html } = render(event);
    const sections = html.split('<section class="exception"').slice(1);
    const headings = sections.map((section) => textOf(/<h3>.*?<\/h3>/.exec(section)![0]).trim());
    assert.deepEqual(headings, [
      'Error : Could not load cart for checkout',
      "TypeError : Cannot read properties of undefined (reading 'items')",
    ]);
    assert.match(sections[1], /^[^>]*><p class="muted">caused by<\/p>/);
    for (const section of sections) assert.match(section, /<li class="frame/, 'frames under each exception');
  });

  it("opens in-app frames with their source lines and folds the runtime's frames", () => {
    const event = eventTitled('Error: Invoice export failed for batch 2024-06-B', 'exception');
    const { html } = render(event);
    const inApp = html.match(/<li class="frame in-app">/g) ?? [];
    assert.ok(inApp.length > 0, 'some in-app frames');
    assert.match(html, /<div class="context-line current">/, 'the line of the frame is marked');
    // Node's own frames (node:internal…) are behind a <details> that starts closed.
    assert.match(html, /<details><summary>\d+ system frames?<\/summary>/);
    const folded = html.slice(html.indexOf('<details>'));
    assert.match(folded, /node:internal/);
    assert.doesNotMatch(html.slice(0, html.indexOf('<details>')), /node:internal/);
  });

  it('links a frame to its source when a plugin gave it a sourceLink (e.g. the line on GitHub)', () => {
    const event = structuredClone(
      eventTitled('Error: Invoice export failed for batch 2024-06-B', 'exception'),
    );
    const link = 'https://github.com/acme/api/blob/0123abc/src/invoices.ts#L42';
    const entry = event.entries.find((e) => e.type === 'exception') as {
      data: { values: { stacktrace: { frames: { inApp: boolean; sourceLink?: string }[] } | null }[] };
    };
    const frame = entry.data.values[0].stacktrace!.frames.findLast((f) => f.inApp);
    assert.ok(frame);
    frame.sourceLink = link;
    const { html } = render(event);
    const anchors = html.match(/<a class="frame-source"[^>]*>source<\/a>/g) ?? [];
    assert.equal(anchors.length, 1, 'only the frame with a link has one');
    assert.ok(anchors[0].includes(`href="${link}"`), anchors[0]);
    assert.doesNotMatch(
      render(eventTitled('Error: Invoice export failed for batch 2024-06-B', 'exception')).html,
      /frame-source/,
    );
  });

  it('shows the contexts people look for first (OS, Runtime, Device, titled) before the others, and the SDK', () => {
    const { html, text } = render(eventTitled('Error: Could not load cart for checkout', 'exception'));
    const cards = [...html.matchAll(/<div class="context-card"><h4>([^<]+)<\/h4>/g)].map((m) => m[1]);
    assert.deepEqual(cards.slice(0, 3), ['OS', 'Runtime', 'Device']);
    assert.ok(cards.includes('trace'), JSON.stringify(cards));
    assert.match(text, /SDK: sentry\.javascript\.node \d+\.\d+\.\d+/);
    assert.match(text, /jane\.doe@example\.com/, 'the user');
  });

  it('shows what the browser SDK sent: the frames of a click handler, breadcrumbs and the request', () => {
    const event = eventTitled('Error: Card validation failed for order 5521', 'exception');
    const { text } = render(event);
    assert.match(text, /onPayClick/);
    assert.match(text, /Breadcrumbs/);
    assert.match(text, /Request/);
    assert.match(text, /GET http/);
  });

  it('shows a message event as its message, with no exception', () => {
    const event = eventTitled('Payment provider timeout after 3000 ms', 'message');
    if (event.entries.some((entry) => entry.type === 'exception')) return;
    const { html, text } = render(event);
    assert.match(html, /<pre class="message">Payment provider timeout after 3000 ms<\/pre>/);
    assert.doesNotMatch(text, /carries no exception/);
  });
});
