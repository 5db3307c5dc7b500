import type { Knex } from 'knex';
import { AccountsRepository, type Project } from '../accounts';
import { recordAudit, type AuditActor } from '../audit';
import { NotFoundError } from '../errors';
import { canSeeProject, type OrganizationAccess } from './access';
import { unlessTaken, whereSlugOrId } from './lookup';
import type { TeamRow } from './teams';

/**
 * Projects belong to an organization and are opened to members through teams (see
 * `OrganizationAccess.visibleProjectIds`); a project the caller can't see is not found.
 */

/** A project as the API shows it: its row (`Project`) with its organization and first event. */
export interface ProjectRow extends Project {
  organization_slug: string;
  organization_name: string;
  /** When the project's first issue was first seen; null before any event. */
  first_event: Date | null;
}

function projectsQuery(knex: Knex): Knex.QueryBuilder {
  return knex('projects as p')
    .join('organizations as o', 'o.id', 'p.organization_id')
    .select(
      'p.id',
      'p.organization_id',
      'p.slug',
      'p.name',
      'p.platform',
      'p.created_at',
      'o.slug as organization_slug',
      'o.name as organization_name',
      knex.raw('(SELECT min(first_seen) FROM issues WHERE issues.project_id = p.id) AS first_event'),
    );
}

/** The projects the given accesses open, by slug; only those a team holds when `teamId` is given. */
export async function listVisibleProjects(
  knex: Knex,
  accesses: OrganizationAccess[],
  window: { limit: number; offset: number },
  teamId?: number,
): Promise<ProjectRow[]> {
  const query = projectsQuery(knex).where((q) => {
    // An impossible condition keeps an empty list of organizations empty.
    q.whereRaw('false');
    for (const access of accesses) {
      q.orWhere((one) => {
        one.where('p.organization_id', access.organization.id);
        if (access.visibleProjectIds !== undefined) one.whereIn('p.id', access.visibleProjectIds);
      });
    }
  });
  // A team may hold projects hidden from the caller: the accesses above still decide.
  if (teamId !== undefined)
    query.join('project_teams as pt', 'pt.project_id', 'p.id').where('pt.team_id', teamId);
  return query
    .orderBy([{ column: 'p.slug' }, { column: 'p.id' }])
    .limit(window.limit)
    .offset(window.offset);
}

export async function findProjectById(knex: Knex, id: number): Promise<ProjectRow | undefined> {
  return projectsQuery(knex).where('p.id', id).first();
}

export async function findVisibleProject(
  knex: Knex,
  access: OrganizationAccess,
  slugOrId: string,
): Promise<ProjectRow> {
  const query = projectsQuery(knex).where('p.organization_id', access.organization.id);
  whereSlugOrId(query, 'p', slugOrId);
  const row: ProjectRow | undefined = await query.first();
  if (!row || !canSeeProject(access, row.id))
    throw projectNotFound(`${access.organization.slug}/${slugOrId}`);
  return row;
}

function projectNotFound(what: string): NotFoundError {
  return new NotFoundError(`Project ${what} not found`, 'project_not_found');
}

async function reload(knex: Knex, id: number): Promise<ProjectRow> {
  const row = await findProjectById(knex, id);
  if (!row) throw projectNotFound(String(id));
  return row;
}

/** Creates a project owned by `team`, with a "Default" client key so its DSN is ready (as in Sentry). */
export async function createProject(
  knex: Knex,
  input: {
    access: OrganizationAccess;
    team: TeamRow;
    project: { slug: string; name: string; platform: string | null };
    actor: AuditActor;
  },
): Promise<ProjectRow> {
  const { access, team, project } = input;
  const id = await knex.transaction(async (trx) => {
    const [row] = await unlessTaken(`Project ${project.slug}`, () =>
      trx('projects')
        .insert({ organization_id: access.organization.id, ...project })
        .returning('id'),
    );
    await trx('project_teams').insert({ project_id: row.id, team_id: team.id });
    await new AccountsRepository(trx).ensureProjectKey(row.id);
    await recordAudit(trx, {
      organizationId: access.organization.id,
      actor: input.actor,
      event: 'project.create',
      target: { type: 'project', id: row.id },
      data: { slug: project.slug, team: team.slug },
    });
    return row.id as number;
  });
  return reload(knex, id);
}

export async function updateProject(
  knex: Knex,
  input: {
    access: OrganizationAccess;
    project: ProjectRow;
    patch: { name?: string; slug?: string; platform?: string | null };
    actor: AuditActor;
  },
): Promise<ProjectRow> {
  const { access, project } = input;
  await knex.transaction(async (trx) => {
    const patch = Object.fromEntries(Object.entries(input.patch).filter(([, v]) => v !== undefined));
    if (Object.keys(patch).length > 0)
      await unlessTaken(`Project ${input.patch.slug}`, () =>
        trx('projects').where({ id: project.id }).update(patch),
      );
    await recordAudit(trx, {
      organizationId: access.organization.id,
      actor: input.actor,
      event: 'project.edit',
      target: { type: 'project', id: project.id },
      data: patch,
    });
  });
  return reload(knex, project.id);
}

/** Deletes a project with its issues, events and keys. */
export async function deleteProject(
  knex: Knex,
  input: { access: OrganizationAccess; project: ProjectRow; actor: AuditActor },
): Promise<void> {
  const { access, project } = input;
  await knex.transaction(async (trx) => {
    await trx('projects').where({ id: project.id }).delete();
    await recordAudit(trx, {
      organizationId: access.organization.id,
      actor: input.actor,
      event: 'project.remove',
      target: { type: 'project', id: project.id },
      data: { slug: project.slug },
    });
  });
}

/** Opens the project to the team's members (or leaves it open if it already is). */
export async function addProjectTeam(
  knex: Knex,
  input: { access: OrganizationAccess; project: ProjectRow; team: TeamRow; actor: AuditActor },
): Promise<void> {
  const { access, project, team } = input;
  await knex.transaction(async (trx) => {
    await trx('project_teams')
      .insert({ project_id: project.id, team_id: team.id })
      .onConflict(['project_id', 'team_id'])
      .ignore();
    await recordAudit(trx, {
      organizationId: access.organization.id,
      actor: input.actor,
      event: 'project.add-team',
      target: { type: 'project', id: project.id },
      data: { team: team.slug },
    });
  });
}

export async function removeProjectTeam(
  knex: Knex,
  input: { access: OrganizationAccess; project: ProjectRow; team: TeamRow; actor: AuditActor },
): Promise<void> {
  const { access, project, team } = input;
  await knex.transaction(async (trx) => {
    await trx('project_teams').where({ project_id: project.id, team_id: team.id }).delete();
    await recordAudit(trx, {
      organizationId: access.organization.id,
      actor: input.actor,
      event: 'project.remove-team',
      target: { type: 'project', id: project.id },
      data: { team: team.slug },
    });
  });
}
