import type { Knex } from 'knex';
import {
  configFields,
  fieldSchema,
  installationOnlyFieldNames,
  maskSecrets,
  secretFieldNames,
  validateAgainst,
  type FieldProblem,
  type MaskedSecret,
} from './config-fields';
import { effectiveConfig, resolveEnabled, type PluginDescription, type PluginHost } from './host';
import { configVariable } from './manifest';
import type { PluginSettingsStore, SettingsLayer, SettingsScope } from './settings';

/** A plugin as an organization or a project sees it. */
export interface PluginView extends PluginDescription {
  /** Whether it runs here (for an organization: in its projects without a setting of their own). */
  enabled: boolean;
  /** This level's own setting; null when it follows the level above. */
  enabledSetting: boolean | null;
  /** The config in effect here, secret fields shown as `{ "set": true }`. */
  config: Record<string, unknown | MaskedSecret>;
  /** The fields set at this level, secrets masked the same way. */
  overrides: Record<string, unknown | MaskedSecret>;
}

/** A plugin that offers an alert action, as a project's rule editor offers it. */
export interface AlertActionOffer {
  plugin: string;
  description: string | null;
  /** Whether it is on for the project: a rule's action naming a plugin that is off is refused. */
  enabled: boolean;
  /** The action's config in a rule as JSON Schema; null when the plugin declares none. */
  configSchema: Record<string, unknown> | null;
}

/** A change of one level's settings: `null` clears a setting (the level above applies again). */
export interface PluginSettingsChange {
  enabled?: boolean | null;
  config?: Record<string, unknown>;
}

/** The change does not fit the plugin's config schema; `field` names where (the first, of several). */
export class PluginSettingsInvalid extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
    /** Further fields at fault, named in the message too. */
    readonly others: FieldProblem[] = [],
  ) {
    super([{ field, message: problem }, ...others].map((p) => `config.${p.field}: ${p.message}`).join('; '));
  }

  static of([first, ...others]: FieldProblem[]): PluginSettingsInvalid {
    return new PluginSettingsInvalid(first.field, first.message, others);
  }
}

/**
 * What the REST API does with plugin settings: views per organization and project (secrets masked),
 * and validated changes. Levels: installation (`PLUGIN_CONFIG_<ID>`), organization, project; each
 * overrides the one above, field by field.
 */
export class PluginAdmin {
  constructor(
    private readonly host: PluginHost,
    private readonly settings: PluginSettingsStore,
  ) {}

  has(pluginId: string): boolean {
    return this.host.plugin(pluginId) !== undefined;
  }

  /** Every loaded plugin as the organization sees it. */
  async list(organizationId: number): Promise<PluginView[]> {
    const layers = await this.settings.forOrganization(organizationId);
    const catalogue = await this.host.catalogue();
    return catalogue.map((description) =>
      this.viewOf(description, layers.get(description.id), undefined, true),
    );
  }

  /** One plugin at one level; undefined when no such plugin is loaded. */
  async view(scope: SettingsScope, executor?: Knex): Promise<PluginView | undefined> {
    const description = (await this.host.catalogue()).find((p) => p.id === scope.pluginId);
    if (!description) return undefined;
    const org = await this.settings.read({ ...scope, projectId: null }, executor);
    const project = scope.projectId === null ? undefined : await this.settings.read(scope, executor);
    return this.viewOf(description, org, project, scope.projectId === null);
  }

  /**
   * The plugins with an alert action (`onAlert`), each as the project has it: on or off by the very
   * check a rule's action is refused by (`PluginHost.isEnabled`, the project's layers read once).
   */
  async alertActions(projectId: number): Promise<AlertActionOffer[]> {
    const offers: AlertActionOffer[] = [];
    for (const description of await this.host.catalogue()) {
      if (!description.hasAlertAction) continue;
      offers.push({
        plugin: description.id,
        description: description.description,
        enabled: await this.host.isEnabled(description.id, projectId),
        configSchema: description.actionConfigSchema,
      });
    }
    return offers;
  }

  /**
   * Applies a change to one level in `trx`, after checking each given field against its schema and,
   * when the plugin is then enabled at that level, the whole config in effect there. Returns the
   * names of the fields changed (for the audit log; never values).
   */
  async change(trx: Knex.Transaction, scope: SettingsScope, change: PluginSettingsChange): Promise<string[]> {
    const plugin = this.host.plugin(scope.pluginId);
    if (!plugin) throw new Error(`plugin ${scope.pluginId} is not loaded`);
    const schema = plugin.manifest.configSchema;
    const secrets = secretFieldNames(schema);
    const reserved = installationOnlyFieldNames(schema);
    // The layer being changed is locked until the transaction ends: concurrent changes of different
    // fields each build on the other's result instead of overwriting it.
    const current = await this.settings.readForUpdate(trx, scope);
    const org =
      scope.projectId === null ? current : await this.settings.read({ ...scope, projectId: null }, trx);
    const next: SettingsLayer = {
      enabled: current?.enabled ?? null,
      config: { ...current?.config },
      secrets: { ...current?.secrets },
    };
    if (change.enabled !== undefined) next.enabled = change.enabled;
    const changed: string[] = [];
    for (const [field, value] of Object.entries(change.config ?? {})) {
      const secret = secrets.has(field);
      const target = secret ? next.secrets : next.config;
      if (secret && isMasked(value)) continue; // `{ "set": true }` sent back as read: unchanged
      // Clearing one (a value stored before the plugin marked the field) is allowed; setting is not.
      if (reserved.has(field) && value !== null)
        throw new PluginSettingsInvalid(
          field,
          `can only be set in the installation config (${configVariable(plugin.id)}), not per organization or project`,
        );
      changed.push(field);
      if (value === null) {
        delete target[field];
        continue;
      }
      const known = fieldSchema(schema, field);
      if (!known && configFields(schema).length > 0)
        throw new PluginSettingsInvalid(field, 'is not a setting of this plugin');
      const checked = validateAgainst(known, value, field);
      if (!checked.ok) throw PluginSettingsInvalid.of(checked.problems);
      target[field] = value;
    }
    const layers = scope.projectId === null ? { org: next, project: undefined } : { org, project: next };
    if (resolveEnabled(plugin.builtin, layers.org, layers.project)) {
      const effective = effectiveConfig(plugin, layers.org, layers.project);
      const checked = validateAgainst(schema, effective);
      if (!checked.ok) throw PluginSettingsInvalid.of(checked.problems);
    }
    await this.settings.write(trx, scope, next);
    return changed;
  }

  /** Forget cached settings in this process, after a change committed. */
  changed(): void {
    this.settings.invalidate();
  }

  private viewOf(
    description: PluginDescription,
    org: SettingsLayer | undefined,
    project: SettingsLayer | undefined,
    organizationLevel: boolean,
  ): PluginView {
    const plugin = this.host.plugin(description.id)!;
    const secrets = secretFieldNames(plugin.manifest.configSchema);
    const own = organizationLevel ? org : project;
    const effective = effectiveConfig(plugin, org, organizationLevel ? undefined : project);
    return {
      ...description,
      enabled: resolveEnabled(plugin.builtin, org, organizationLevel ? undefined : project),
      enabledSetting: own?.enabled ?? null,
      config: maskSecrets(effective, secrets),
      overrides: maskSecrets({ ...own?.config, ...own?.secrets }, secrets),
    };
  }
}

function isMasked(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { set?: unknown }).set === true;
}
