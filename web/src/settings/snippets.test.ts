import assert from 'node:assert/strict';
import { buildSnippet, SDKS } from './snippets';

const DSN = 'http://0123abcd@127.0.0.1:8000/1';

describe('web: setup snippets', () => {
  it('puts the DSN into the setup code of every SDK, with its install command', () => {
    for (const sdk of SDKS) {
      const snippet = buildSnippet(sdk, DSN);
      assert.ok(snippet.code.includes(DSN), `${sdk}: ${snippet.code}`);
      assert.ok(snippet.install.length > 0, sdk);
    }
  });

  it("writes each language's own init call", () => {
    assert.match(
      buildSnippet('browser', DSN).code,
      /from '@sentry\/browser'[\s\S]*Sentry\.init\(\{\n {2}dsn: 'http/,
    );
    assert.match(buildSnippet('node', DSN).code, /require\('@sentry\/node'\)/);
    assert.match(
      buildSnippet('python', DSN).code,
      /sentry_sdk\.init\(\n {4}dsn="http:\/\/0123abcd@127\.0\.0\.1:8000\/1",/,
    );
    assert.match(buildSnippet('ruby', DSN).code, /config\.dsn = 'http/);
    assert.match(buildSnippet('go', DSN).code, /sentry\.Init\(sentry\.ClientOptions\{\n\tDsn: "http/);
    assert.match(buildSnippet('java', DSN).code, /options\.setDsn\("http/);
    assert.match(buildSnippet('dotnet', DSN).code, /options\.Dsn = "http/);
    assert.match(buildSnippet('php', DSN).code, /\\Sentry\\init\(\[\n {4}'dsn' => 'http/);
  });

  it('escapes quotes and backslashes, so a DSN can never end the string literal early', () => {
    const odd = 'http://k@host/it\'s\\1"';
    assert.ok(buildSnippet('browser', odd).code.includes("'http://k@host/it\\'s\\\\1\"'"));
    assert.ok(buildSnippet('python', odd).code.includes('"http://k@host/it\'s\\\\1\\""'));
    assert.ok(buildSnippet('php', odd).code.includes("'http://k@host/it\\'s\\\\1\"'"));
  });
});
