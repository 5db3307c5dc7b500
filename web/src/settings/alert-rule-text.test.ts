import assert from 'node:assert/strict';
import { describeFilter, describeTrigger } from './alert-rule-text';

describe('alert rules in words', () => {
  it('says when a rule fires', () => {
    assert.equal(describeTrigger({ id: 'issue.created' }), 'A new issue is created');
    assert.equal(
      describeTrigger({ id: 'issue.state_changed', to: 'resolved' }),
      'An issue is marked resolved',
    );
    assert.equal(
      describeTrigger({ id: 'event_frequency', value: 100, interval: 60 }),
      'An issue is seen more than 100 times in an hour',
    );
  });

  it('says which issues it keeps', () => {
    assert.equal(
      describeFilter({ id: 'level', match: 'gte', level: 'error' }),
      'The level is at least error',
    );
    assert.equal(describeFilter({ id: 'tag', key: 'browser', match: 'is_set' }), 'The tag browser is set');
    assert.equal(
      describeFilter({ id: 'tag', key: 'browser', match: 'starts_with', value: 'Chrome' }),
      'The tag browser starts with Chrome',
    );
  });
});
