import type { Knex } from 'knex';
import type { IntegrationClient } from '@faultline/plugin-sdk';
import { parseCursor } from '../changes';
import { BadRequestError } from '../errors';

/**
 * An integration's place in its organization's change stream (`integration_cursors`). The Slack
 * app saves it after each change it brought to its cards, so that after a restart it asks the
 * stream for what came after, wherever it runs: nothing missed, nothing applied twice.
 */
export async function readIntegrationCursor(
  knex: Knex,
  organizationId: number,
  provider: IntegrationClient,
): Promise<string | null> {
  const row: { cursor: string } | undefined = await knex('integration_cursors')
    .where({ organization_id: organizationId, provider })
    .first('cursor');
  return row?.cursor ?? null;
}

/** Saves the cursor, which must be one the change stream gave (`<txid>-<id>`, its event ids). */
export async function saveIntegrationCursor(
  knex: Knex,
  organizationId: number,
  provider: IntegrationClient,
  cursor: string,
): Promise<void> {
  if (!parseCursor(cursor))
    throw new BadRequestError(
      'cursor must be a change stream event id ("<txid>-<id>", as the stream sent it)',
      'invalid_cursor',
    );
  await knex('integration_cursors')
    .insert({ organization_id: organizationId, provider, cursor, updated_at: knex.fn.now() })
    .onConflict(['organization_id', 'provider'])
    .merge(['cursor', 'updated_at']);
}
