import type { Knex } from 'knex';
import { jsonColumn } from '../db';
import { hookTransaction } from './storage';

/** Encryption at rest for secret config fields (the auth domain's SecretBox fits). */
export interface Sealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** One organization's or project's settings of one plugin. */
export interface SettingsLayer {
  /** null: as the level above decides. */
  enabled: boolean | null;
  /** Non-secret fields overridden at this level. */
  config: Record<string, unknown>;
  /** Secret fields set at this level, decrypted (never returned by the API, never logged). */
  secrets: Record<string, unknown>;
}

/** Where a layer lives: an organization's (projectId null) or one project's. */
export interface SettingsScope {
  organizationId: number;
  projectId: number | null;
  pluginId: string;
}

/** The layers that apply to one project, by plugin id. */
export interface ProjectLayers {
  organizationId: number;
  organization: Map<string, SettingsLayer>;
  project: Map<string, SettingsLayer>;
}

interface SettingsRow {
  organization_id: number;
  project_id: number | null;
  plugin_id: string;
  enabled: boolean | null;
  config: Record<string, unknown> | string;
  secrets: Record<string, string> | string;
}

export class SecretsUnavailableError extends Error {}

/**
 * `plugin_settings`: plugins turned on or off, and config overridden, per organization and project.
 * Secret fields are sealed one by one, bound to their row and field. Reads for projects are cached
 * briefly per process (hooks and events look them up all the time); a change made through this
 * process forgets the cache at once, other processes see it within `cacheMs`.
 */
export class PluginSettingsStore {
  private readonly cache = new Map<number, { until: number; layers: Promise<ProjectLayers | undefined> }>();
  private readonly cacheMs: number;

  constructor(
    private readonly knex: Knex,
    private readonly sealer: Sealer | undefined,
    options: { cacheMs?: number } = {},
  ) {
    this.cacheMs = options.cacheMs ?? 5000;
  }

  /** The organization's and the project's layers; undefined when the project doesn't exist. */
  forProject(projectId: number): Promise<ProjectLayers | undefined> {
    const now = Date.now();
    const cached = this.cache.get(projectId);
    if (cached && cached.until > now) return cached.layers;
    const layers = this.loadProject(projectId);
    this.cache.set(projectId, { until: now + this.cacheMs, layers });
    // A failed read is not kept.
    layers.catch(() => this.cache.delete(projectId));
    return layers;
  }

  /** One layer, uncached (for the API); in `executor` when given (a transaction). */
  async read(scope: SettingsScope, executor?: Knex): Promise<SettingsLayer | undefined> {
    const row = await (executor ?? this.executor())('plugin_settings')
      .where({ organization_id: scope.organizationId, plugin_id: scope.pluginId })
      .andWhere((q) =>
        scope.projectId === null ? q.whereNull('project_id') : q.where('project_id', scope.projectId),
      )
      .first<SettingsRow | undefined>();
    return row && this.layerOf(row);
  }

  /**
   * One layer, locked until `trx` ends, for a read-modify-write: a concurrent change of the same
   * layer waits here and then reads what this one wrote, so neither change is lost. A missing row is
   * created first (with nothing set, which means the same as no row) so there is a row to lock.
   */
  async readForUpdate(trx: Knex.Transaction, scope: SettingsScope): Promise<SettingsLayer | undefined> {
    await trx.raw(
      `INSERT INTO plugin_settings (organization_id, project_id, plugin_id, enabled, config, secrets, updated_at)
       VALUES (?, ?, ?, NULL, '{}'::jsonb, '{}'::jsonb, now())
       ON CONFLICT ${conflictTarget(scope)} DO NOTHING`,
      [scope.organizationId, scope.projectId, scope.pluginId],
    );
    const row = await trx('plugin_settings')
      .where({ organization_id: scope.organizationId, plugin_id: scope.pluginId })
      .andWhere((q) =>
        scope.projectId === null ? q.whereNull('project_id') : q.where('project_id', scope.projectId),
      )
      .forUpdate()
      .first<SettingsRow | undefined>();
    return row && this.layerOf(row);
  }

  /** Replaces one layer (secrets sealed), in the caller's transaction. */
  async write(trx: Knex.Transaction, scope: SettingsScope, layer: SettingsLayer): Promise<void> {
    const sealed: Record<string, string> = {};
    for (const [field, value] of Object.entries(layer.secrets)) {
      if (!this.sealer) throw new SecretsUnavailableError('secret plugin settings need the server key');
      sealed[field] = this.sealer.seal(JSON.stringify(value), sealContext(scope, field));
    }
    await trx.raw(
      `INSERT INTO plugin_settings (organization_id, project_id, plugin_id, enabled, config, secrets, updated_at)
       VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, now())
       ON CONFLICT ${conflictTarget(scope)}
       DO UPDATE SET enabled = EXCLUDED.enabled, config = EXCLUDED.config, secrets = EXCLUDED.secrets,
                     updated_at = now()`,
      [
        scope.organizationId,
        scope.projectId,
        scope.pluginId,
        layer.enabled,
        JSON.stringify(layer.config),
        JSON.stringify(sealed),
      ],
    );
  }

  /** Every organization-level layer of an organization, by plugin id (for the API's list). */
  async forOrganization(organizationId: number): Promise<Map<string, SettingsLayer>> {
    const rows: SettingsRow[] = await this.knex('plugin_settings')
      .where('organization_id', organizationId)
      .whereNull('project_id')
      .select('*');
    return new Map(rows.map((row) => [row.plugin_id, this.layerOf(row)]));
  }

  /** Forgets cached layers (after a change made in this process). */
  invalidate(): void {
    this.cache.clear();
  }

  /** Inside processEvent the pipeline's transaction holds the connection (PGlite has one): use it. */
  private executor(): Knex {
    return hookTransaction.getStore() ?? this.knex;
  }

  private async loadProject(projectId: number): Promise<ProjectLayers | undefined> {
    const knex = this.executor();
    const project = await knex('projects')
      .where('id', projectId)
      .first<{ organization_id: number } | undefined>('organization_id');
    if (!project) return undefined;
    const rows: SettingsRow[] = await knex('plugin_settings')
      .where('organization_id', project.organization_id)
      .andWhere((q) => q.whereNull('project_id').orWhere('project_id', projectId))
      .select('*');
    const layers: ProjectLayers = {
      organizationId: project.organization_id,
      organization: new Map(),
      project: new Map(),
    };
    for (const row of rows) {
      (row.project_id === null ? layers.organization : layers.project).set(row.plugin_id, this.layerOf(row));
    }
    return layers;
  }

  private layerOf(row: SettingsRow): SettingsLayer {
    const scope = { organizationId: row.organization_id, projectId: row.project_id, pluginId: row.plugin_id };
    const sealed = jsonColumn<Record<string, string>>(row.secrets);
    const secrets: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(sealed)) {
      if (!this.sealer) throw new SecretsUnavailableError('secret plugin settings need the server key');
      secrets[field] = JSON.parse(this.sealer.open(value, sealContext(scope, field))) as unknown;
    }
    return { enabled: row.enabled, config: jsonColumn<Record<string, unknown>>(row.config), secrets };
  }
}

/** The unique index a layer's row is found by (organization-level rows have no project). */
function conflictTarget(scope: SettingsScope): string {
  return scope.projectId === null
    ? '(organization_id, plugin_id) WHERE project_id IS NULL'
    : '(project_id, plugin_id) WHERE project_id IS NOT NULL';
}

/** Binds a sealed value to its row and field: copied anywhere else, it does not open. */
function sealContext(scope: SettingsScope, field: string): string {
  return `plugin-settings:${scope.pluginId}:${scope.organizationId}:${scope.projectId ?? 'org'}:${field}`;
}

/** The SecretBox purpose (derived key) of secret plugin settings. */
export const PLUGIN_SETTINGS_PURPOSE = 'plugin-settings';
