import assert from 'node:assert/strict';
import { bootstrap } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import { IngestQueueWriter } from './queue-writer';

describeEachDatabase('ingest queue writer', (ctx) => {
  let projectId: number;
  before(async () => {
    ({ projectId } = await bootstrap(ctx.db.knex, {
      organization: 'acme',
      team: 'acme-team',
      project: 'app',
      platform: 'javascript',
      email: 'o@acme.io',
      publicUrl: 'http://127.0.0.1:9',
    }));
  });

  // Every byte value, NUL and invalid UTF-8 included: attachments are binary.
  const payload = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));

  for (const bytesAsHex of [false, true]) {
    it(`stores an item's payload byte for byte${bytesAsHex ? ' when sent as hex (how PGlite gets it)' : ''}`, async () => {
      const writer = new IngestQueueWriter(ctx.db.knex, { maxInFlight: 1, bytesAsHex });
      const itemType = `attachment-${String(bytesAsHex)}`;
      await writer.write(
        [],
        [
          {
            projectId,
            receivedAt: new Date(),
            itemType,
            eventId: undefined,
            itemHeader: { type: 'attachment' },
            payload,
          },
        ],
      );
      const row = await ctx.db.knex('stored_items').where({ item_type: itemType }).first();
      assert.ok(Buffer.from(row.payload).equals(payload));
    });
  }
});
