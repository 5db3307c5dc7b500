import assert from 'node:assert/strict';
import { pluginNames } from './names';

describe('create-plugin names', () => {
  const cases: [string, { folder: string; id: string } | RegExp][] = [
    ['faultline-plugin-jira', { folder: 'faultline-plugin-jira', id: 'jira' }],
    ['@acme/faultline-tagger', { folder: 'faultline-tagger', id: 'faultline-tagger' }],
    ['my.plugin_2', { folder: 'my.plugin_2', id: 'my-plugin-2' }],
    ['2fa-audit', { folder: '2fa-audit', id: 'fa-audit' }],
    ['Jira', /is not an npm package name/],
    ['faultline-plugin-', /is not an npm package name|leaves no plugin id/],
    ['123', /leaves no plugin id/],
  ];
  for (const [name, expected] of cases) {
    it(`${name} → ${expected instanceof RegExp ? 'refused' : expected.id}`, () => {
      const names = pluginNames(name);
      if (expected instanceof RegExp) assert.match(String(names), expected);
      else assert.deepEqual(names, { packageName: name, ...expected });
    });
  }
});
