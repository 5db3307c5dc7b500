import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { apiRoutes, describeApi } from './index';

const CHECKED_IN = path.resolve(__dirname, '../../../docs/openapi.json');

describe('OpenAPI description', () => {
  const document = describeApi(loadConfig({})) as {
    paths: Record<
      string,
      Record<string, { 'x-required-scope': string; security: Record<string, string[]>[] }>
    >;
    components: { securitySchemes: Record<string, { type: string; in?: string; name?: string }> };
  };

  it('describes every declared route with the scope it requires', () => {
    const routes = apiRoutes({ config: loadConfig({}) } as never);
    for (const route of routes) {
      const openApiPath = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const operation = document.paths[openApiPath]?.[route.method];
      assert.ok(operation, `${route.method.toUpperCase()} ${route.path} is missing from the document`);
      assert.equal(operation['x-required-scope'], route.scope);
    }
  });

  it('names the credentials each route accepts: none, a session only, or a token or a session', () => {
    const schemes = document.components.securitySchemes;
    assert.deepEqual(
      [schemes.sessionCookie.in, schemes.csrfToken.in, schemes.csrfToken.name],
      ['cookie', 'header', 'X-CSRF-Token'],
    );
    const routes = apiRoutes({ config: loadConfig({}) } as never);
    for (const route of routes) {
      const { security } = document.paths[route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')][route.method];
      const session = route.method === 'get' ? { sessionCookie: [] } : { sessionCookie: [], csrfToken: [] };
      const what = `${route.method.toUpperCase()} ${route.path}`;
      if (route.resource === 'public') assert.deepEqual(security, [], what);
      else if (route.resource === 'session' || route.resource === 'signInSession')
        assert.deepEqual(security, [session], what);
      else assert.deepEqual(security, [{ bearerToken: [route.scope] }, session], what);
    }
  });

  it("describes every route's answers: its success with the body's schema, and its errors as {detail, code}", () => {
    const routes = apiRoutes({ config: loadConfig({}) } as never);
    const operations = document.paths as unknown as Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, unknown>; $ref?: string }> }>
    >;
    for (const route of routes) {
      const what = `${route.method.toUpperCase()} ${route.path}`;
      const { responses } = operations[route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')][route.method];
      const success = responses[String(route.status)];
      assert.ok(success, `${what} describes no ${route.status}`);
      if (route.response !== null) assert.ok(success.content, `${what} describes no body`);
      for (const status of route.errors)
        assert.equal(responses[String(status)].$ref, '#/components/responses/Error', `${what} ${status}`);
      assert.ok(responses['400'], `${what}: every route refuses a bad URL`);
    }
    const issue = (document.components as unknown as { schemas: Record<string, { properties: object }> })
      .schemas.Issue;
    assert.ok('shortId' in issue.properties && 'isRegression' in issue.properties);
  });

  it('matches docs/openapi.json (regenerate with: node core/dist/cli/main.js openapi > docs/openapi.json)', () => {
    const checkedIn: unknown = JSON.parse(readFileSync(CHECKED_IN, 'utf8'));
    assert.deepEqual(checkedIn, document);
  });
});
