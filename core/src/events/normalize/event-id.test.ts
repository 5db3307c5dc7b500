import assert from 'node:assert/strict';
import { generateEventId, parseEventId } from './event-id';
import { EVENT_ID, errorTypesAt, normalize } from './test-helpers';

describe('event_id', () => {
  const parseCases: [string, unknown, string | undefined][] = [
    ['32 hex', EVENT_ID, EVENT_ID],
    ['upper-case hex', EVENT_ID.toUpperCase(), EVENT_ID],
    ['dashed UUID', '6c769eae-2019-4b14-b667-6be7dac1c2d9', EVENT_ID],
    ['too short', '6c769eae', undefined],
    ['not hex', 'z'.repeat(32), undefined],
    ['a number', 42, undefined],
  ];
  for (const [name, input, expected] of parseCases) {
    it(`parses ${name}`, () => assert.equal(parseEventId(input), expected));
  }

  it('lets the envelope header id win over the payload id', () => {
    const event = normalize({}, { envelopeEventId: 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE' });
    assert.equal(event.event_id, 'aaaaaaaabbbb4ccc8dddeeeeeeeeeeee');
    assert.equal(event.errors, undefined);
  });

  it('falls back to the payload id when the envelope id is invalid, and records it', () => {
    const event = normalize({}, { envelopeEventId: 'nope' });
    assert.equal(event.event_id, EVENT_ID);
    assert.deepEqual(errorTypesAt(event, 'envelope.event_id'), ['invalid_data']);
  });

  const generated: [string, unknown, string][] = [
    ['missing', undefined, 'missing_attribute'],
    ['invalid', 'not-an-id', 'invalid_data'],
  ];
  for (const [name, id, errorType] of generated) {
    it(`generates a random id when ${name} and records ${errorType}`, () => {
      const event = normalize({ event_id: id });
      assert.match(event.event_id, /^[0-9a-f]{32}$/);
      assert.notEqual(event.event_id, EVENT_ID);
      assert.deepEqual(errorTypesAt(event, 'event_id'), [errorType]);
    });
  }

  it('generates distinct ids', () => assert.notEqual(generateEventId(), generateEventId()));
});
