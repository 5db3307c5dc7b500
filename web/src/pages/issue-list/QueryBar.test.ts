import assert from 'node:assert/strict';
import { createElement } from 'react';
import { ApiError } from '../../api/errors';
import { renderMarkup } from '../../testing/render';
import { QueryBar } from './QueryBar';

const render = (query: string, error: unknown) =>
  renderMarkup(createElement(QueryBar, { query, error, onSearch: () => undefined }));

describe('web: the issue query bar', () => {
  it('shows the query of the URL in a labelled search box, with no error', () => {
    const html = render('level:error is:unassigned', null);
    assert.match(html, /<form class="query-bar" role="search">/);
    assert.match(html, /<label for="issue-query"[^>]*>Search issues<\/label>/);
    assert.match(html, /<input id="issue-query"[^>]*name="query" value="level:error is:unassigned"/);
    assert.doesNotMatch(html, /role="alert"/);
    assert.doesNotMatch(html, /aria-invalid/);
  });

  it("puts the API's words for a refused query right under the box, which points at them", () => {
    const refused = new ApiError(
      400,
      'Unsupported search value is:sideways; use is:unresolved, resolved, ignored, archived',
      'invalid_search',
    );
    const html = render('is:sideways', refused);
    assert.match(html, /<input [^>]*aria-invalid="true"[^>]*aria-describedby="query-error"/);
    assert.match(
      html,
      /<\/form><p class="error" role="alert" id="query-error">Unsupported search value is:sideways; use is:unresolved/,
    );
  });

  it('says something went wrong, not a stack, for an error that is not an API answer', () => {
    const html = render('', new TypeError("Cannot read properties of undefined (reading 'x')"));
    assert.match(html, /role="alert" id="query-error">Something went wrong in this page/);
    assert.doesNotMatch(html, /Cannot read properties/);
  });
});
