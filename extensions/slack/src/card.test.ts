import assert from 'node:assert/strict';
import { buildCard, CARD_ACTIONS, type CardIssue } from './card';
import { BLOCK_KIT } from './limits';
import { blockKitProblems } from './testing';

const issue: CardIssue = {
  id: '42',
  shortId: 'API-1A',
  title: 'TypeError: boom',
  culprit: 'app.js in handler',
  level: 'error',
  status: 'unresolved',
  count: 3,
  userCount: 1,
  firstSeen: '2026-12-07T10:00:00.000Z',
  lastSeen: '2026-12-07T11:00:00.000Z',
  permalink: 'https://faultline.example/organizations/acme/issues/42/',
};

describe('slack card builder', () => {
  it('keeps within every Block Kit limit whatever the issue holds', () => {
    const huge = 'é<&>'.repeat(5000);
    const card = buildCard(
      {
        ...issue,
        title: huge,
        culprit: huge,
        message: huge,
        environment: huge,
        release: huge,
        assignee: huge,
      },
      {
        rule: { name: huge, reason: huge },
        notes: huge,
        mentions: ['U1', 'S2', 'here'],
        lastAction: 'Resolved by <@U1> from Slack',
        actions: Array.from({ length: 60 }, (_, i) => ({ plugin: 'github', id: `a${i}`, label: huge })),
        assignees: Array.from({ length: 300 }, (_, i) => ({ label: huge, value: `user:${i}` })),
      },
    );
    assert.deepEqual(blockKitProblems(card.blocks), []);
    assert.ok(card.blocks.length <= BLOCK_KIT.blocksPerMessage);
    assert.ok(Array.from(card.text).length <= BLOCK_KIT.messageText);
    // The 60 plugin actions spill over into further actions blocks rather than being dropped.
    const buttons = card.blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as unknown[]);
    assert.equal(buttons.filter((b) => JSON.stringify(b).includes(CARD_ACTIONS.issueAction)).length, 60);
    // Issue text can't forge a link or a mention: mrkdwn texts carry it escaped.
    const mrkdwnTexts = JSON.stringify(card.blocks).match(/"type":"mrkdwn","text":"[^"]*"/g) ?? [];
    assert.ok(mrkdwnTexts.length > 0);
    for (const text of mrkdwnTexts) assert.ok(!text.includes('<&>'), text);
  });

  it('offers Unresolve instead of Resolve and Archive once the issue is resolved', () => {
    const ids = (status: CardIssue['status']) =>
      JSON.stringify(buildCard({ ...issue, status }).blocks.filter((b) => b.type === 'actions'));
    assert.ok(ids('unresolved').includes(CARD_ACTIONS.resolve));
    assert.ok(ids('unresolved').includes(CARD_ACTIONS.archive));
    assert.ok(!ids('resolved').includes(CARD_ACTIONS.resolve));
    assert.ok(ids('resolved').includes(CARD_ACTIONS.unresolve));
    assert.ok(ids('ignored').includes(CARD_ACTIONS.unresolve));
  });
});
