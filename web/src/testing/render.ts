import React, { type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

/**
 * A component's HTML, rendered in Node for the unit tests. Mocha runs them through tsx, which
 * compiles .tsx with the classic JSX transform (`React.createElement`: the root tsconfig it reads
 * covers no files, so web/tsconfig.json's automatic runtime doesn't apply); React is put where
 * that code looks for it. Vite's build uses the automatic runtime and needs none of this.
 */
export function renderMarkup(element: ReactElement): string {
  (globalThis as { React?: typeof React }).React = React;
  return renderToStaticMarkup(element);
}

/** The text of rendered HTML, without tags and with the entities React writes decoded. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
