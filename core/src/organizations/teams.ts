import type { Knex } from 'knex';
import { recordAudit, type AuditActor } from '../audit';
import { NotFoundError } from '../errors';
import type { OrganizationAccess } from './access';
import { unlessTaken, whereSlugOrId } from './lookup';

/** An organization's teams: they hold members and open projects to the members on them. */

export interface TeamRow {
  id: number;
  organization_id: number;
  slug: string;
  name: string;
  created_at: Date;
}

const TEAM_COLUMNS = ['t.id', 't.organization_id', 't.slug', 't.name', 't.created_at'];

export async function findTeam(knex: Knex, access: OrganizationAccess, slugOrId: string): Promise<TeamRow> {
  const query = knex('teams as t').where('t.organization_id', access.organization.id);
  whereSlugOrId(query, 't', slugOrId);
  const row: TeamRow | undefined = await query.first(TEAM_COLUMNS);
  if (!row) throw new NotFoundError(`Team ${slugOrId} not found`, 'team_not_found');
  return row;
}

/** A page of the organization's teams, by slug. */
export async function listTeams(
  knex: Knex,
  organizationId: number,
  window: { limit: number; offset: number },
): Promise<TeamRow[]> {
  return knex('teams as t')
    .where('t.organization_id', organizationId)
    .orderBy([{ column: 't.slug' }, { column: 't.id' }])
    .limit(window.limit)
    .offset(window.offset)
    .select(TEAM_COLUMNS);
}

/** How many members each team has, and whether the user is one of them. */
export async function teamMemberCounts(
  knex: Knex,
  teamIds: number[],
  userId: number | undefined,
): Promise<(teamId: number) => { members: number; isMember: boolean }> {
  const counts: { team_id: number; n: string | number; mine: string | number }[] = await knex('team_members')
    .whereIn('team_id', teamIds)
    .groupBy('team_id')
    .select(
      'team_id',
      knex.raw('count(*) as n'),
      knex.raw('count(*) filter (where user_id = ?) as mine', [userId ?? -1]),
    );
  const byTeam = new Map(counts.map((c) => [c.team_id, c]));
  return (teamId) => {
    const count = byTeam.get(teamId);
    return { members: Number(count?.n ?? 0), isMember: Number(count?.mine ?? 0) > 0 };
  };
}

export async function createTeam(
  knex: Knex,
  input: { access: OrganizationAccess; slug: string; name: string; actor: AuditActor },
): Promise<TeamRow> {
  const { access, slug, name } = input;
  await knex.transaction(async (trx) => {
    const [row] = await unlessTaken(`Team ${slug}`, () =>
      trx('teams').insert({ organization_id: access.organization.id, slug, name }).returning('id'),
    );
    await recordAudit(trx, {
      organizationId: access.organization.id,
      actor: input.actor,
      event: 'team.create',
      target: { type: 'team', id: row.id },
      data: { slug },
    });
  });
  return findTeam(knex, access, slug);
}

export async function updateTeam(
  knex: Knex,
  input: {
    access: OrganizationAccess;
    team: TeamRow;
    patch: { name?: string; slug?: string };
    actor: AuditActor;
  },
): Promise<TeamRow> {
  const { access, team } = input;
  const patch = Object.fromEntries(Object.entries(input.patch).filter(([, v]) => v !== undefined));
  await knex.transaction(async (trx) => {
    if (Object.keys(patch).length > 0)
      await unlessTaken(`Team ${input.patch.slug}`, () => trx('teams').where({ id: team.id }).update(patch));
    await recordAudit(trx, {
      organizationId: access.organization.id,
      actor: input.actor,
      event: 'team.edit',
      target: { type: 'team', id: team.id },
      data: patch,
    });
  });
  return findTeam(knex, access, String(team.id));
}

/** Deletes a team; its projects stay, reachable by whoever sees all projects. */
export async function deleteTeam(
  knex: Knex,
  input: { access: OrganizationAccess; team: TeamRow; actor: AuditActor },
): Promise<void> {
  const { access, team } = input;
  await knex.transaction(async (trx) => {
    await trx('teams').where({ id: team.id }).delete();
    await recordAudit(trx, {
      organizationId: access.organization.id,
      actor: input.actor,
      event: 'team.remove',
      target: { type: 'team', id: team.id },
      data: { slug: team.slug },
    });
  });
}
