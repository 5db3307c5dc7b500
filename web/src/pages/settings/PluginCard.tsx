import { useMutation, useQueryClient } from '@tanstack/react-query';
import { updateProjectPlugin, type Plugin, type PluginChange } from '../../api/settings';
import { ErrorMessage } from '../../components/ErrorMessage';
import { SchemaForm } from '../../components/SchemaForm';
import { configChange, projectConfigSchema, projectConfigValues } from '../../settings/plugin-config';

interface Props {
  plugin: Plugin;
  organization: string;
  project: string;
  /** Whether to offer the changes (project:write); without it the settings are shown, not changed. */
  canWrite: boolean;
}

function stateOf(plugin: Plugin): string {
  const state = plugin.enabled ? 'On' : 'Off';
  return plugin.enabledSetting === null ? `${state} (as the organization has it)` : state;
}

/** One plugin for a project: on or off, and its config form (secrets typed in, never shown back). */
export function PluginCard({ plugin, organization, project, canWrite }: Props) {
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (body: PluginChange) => updateProjectPlugin(organization, project, plugin.id, body),
    // The answer is the plugin as it now is: show it without asking again.
    onSuccess: (updated) => queryClient.setQueryData(['plugin', organization, project, plugin.id], updated),
  });
  const schema = projectConfigSchema(plugin);
  const hasFields = Object.keys(schema.properties as object).length > 0;
  const titleId = `plugin-${plugin.id}`;

  return (
    <article className="card" aria-labelledby={titleId}>
      <header className="card-header">
        <h3 id={titleId}>{plugin.id}</h3>
        <span className="muted">{stateOf(plugin)}</span>
      </header>
      {plugin.description && <p className="muted">{plugin.description}</p>}
      {canWrite && (
        <p>
          <button
            type="button"
            disabled={change.isPending}
            onClick={() => change.mutate({ enabled: !plugin.enabled })}
          >
            {plugin.enabled ? `Turn ${plugin.id} off` : `Turn ${plugin.id} on`}
          </button>{' '}
          {plugin.enabledSetting !== null && (
            <button
              type="button"
              disabled={change.isPending}
              onClick={() => change.mutate({ enabled: null })}
            >
              Follow the organization
            </button>
          )}
        </p>
      )}
      {canWrite && hasFields && (
        // Keyed by the overrides so a saved change refills the form from the server's answer.
        <SchemaForm
          key={JSON.stringify(plugin.overrides)}
          schema={schema}
          initial={projectConfigValues(plugin)}
          onSubmit={(input) => change.mutate({ config: configChange(plugin, input) })}
        >
          <button type="submit" disabled={change.isPending}>
            Save {plugin.id} settings
          </button>
        </SchemaForm>
      )}
      {!canWrite && hasFields && (
        <dl className="plugin-config">
          {plugin.configFields
            .filter((field) => !field.installationOnly)
            .map((field) => (
              <div key={field.name}>
                <dt>{field.name}</dt>
                <dd>{shown(plugin.config[field.name], field.secret)}</dd>
              </div>
            ))}
        </dl>
      )}
      {change.isSuccess && <p role="status">Saved.</p>}
      <ErrorMessage error={change.error} />
    </article>
  );
}

/** A config value for reading; a secret only says whether it is set (the API never sends it). */
function shown(value: unknown, secret: boolean): string {
  if (secret) return value === undefined ? 'not set' : 'set (hidden)';
  if (value === undefined) return 'not set';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
