import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { apiRoutes, describeApi } from './index';

const CHECKED_IN = path.resolve(__dirname, '../../../docs/openapi.json');

describe('OpenAPI description', () => {
  const document = describeApi(loadConfig({})) as {
    paths: Record<string, Record<string, { 'x-required-scope': string }>>;
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

  it('matches docs/openapi.json (regenerate with: node core/dist/cli/main.js openapi > docs/openapi.json)', () => {
    const checkedIn: unknown = JSON.parse(readFileSync(CHECKED_IN, 'utf8'));
    assert.deepEqual(checkedIn, document);
  });
});
