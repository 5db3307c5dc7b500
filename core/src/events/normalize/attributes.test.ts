import assert from 'node:assert/strict';
import type { Level } from '../types';
import { parseLevel } from './level';
import { errorTypesAt, normalize } from './test-helpers';

describe('level', () => {
  const cases: [unknown, Level | undefined][] = [
    ['error', 'error'],
    ['ERROR', 'error'],
    [' Warning ', 'warning'],
    ['warn', 'warning'],
    ['critical', 'fatal'],
    ['log', 'info'],
    ['fatal', 'fatal'],
    ['debug', 'debug'],
    ['info', 'info'],
    ['verbose', undefined],
    ['constructor', undefined],
    [3, undefined],
  ];
  for (const [input, expected] of cases) {
    it(`parses ${JSON.stringify(input)} as ${expected ?? 'nothing'}`, () =>
      assert.equal(parseLevel(input), expected));
  }

  it('defaults to error without an error record', () => {
    const event = normalize({});
    assert.equal(event.level, 'error');
    assert.equal(event.errors, undefined);
  });

  it('turns an unknown level into error and records it', () => {
    const event = normalize({ level: 'verbose' });
    assert.equal(event.level, 'error');
    assert.deepEqual(errorTypesAt(event, 'level'), ['invalid_data']);
  });
});

describe('platform and environment', () => {
  const platforms: [unknown, string, boolean][] = [
    [undefined, 'other', false],
    ['node', 'node', false],
    ['JavaScript', 'javascript', false],
    ['cobol', 'other', true],
    [7, 'other', true],
  ];
  for (const [input, expected, recorded] of platforms) {
    it(`platform ${JSON.stringify(input)} → ${expected}`, () => {
      const event = normalize({ platform: input });
      assert.equal(event.platform, expected);
      assert.equal(errorTypesAt(event, 'platform').length, recorded ? 1 : 0);
    });
  }

  const environments: [unknown, string][] = [
    [undefined, 'production'],
    ['', 'production'],
    ['  staging \n', 'staging'],
  ];
  for (const [input, expected] of environments) {
    it(`environment ${JSON.stringify(input)} → ${expected}`, () => {
      assert.equal(normalize({ environment: input }).environment, expected);
    });
  }

  it('cuts environments to 64 characters and records it', () => {
    const event = normalize({ environment: 'e'.repeat(100) });
    assert.equal(event.environment.length, 64);
    assert.deepEqual(event._meta?.environment, { '': { rem: [['!limit', 's', 61, 64]], len: 100 } });
  });
});

describe('string attributes', () => {
  const cases: [string, unknown, string | undefined, boolean][] = [
    ['release', ' shop@1.4.2 ', 'shop@1.4.2', false],
    ['release', 142, '142', false],
    ['dist', true, 'true', false],
    ['logger', '', undefined, false],
    ['transaction', { name: 'x' }, undefined, true],
    ['server_name', ['host'], undefined, true],
    ['release', null, undefined, false],
  ];
  for (const [field, input, expected, recorded] of cases) {
    it(`${field} ${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      const event = normalize({ [field]: input });
      assert.equal(event[field as 'release'], expected);
      assert.equal(errorTypesAt(event, field).length, recorded ? 1 : 0);
    });
  }
});
