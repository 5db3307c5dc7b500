import { useQueries, useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { organizationPlugins, projectPlugin } from '../../api/settings';
import { QueryError } from '../../components/QueryError';
import { useOrganizationAccess } from '../../settings/access';
import { PluginCard } from './PluginCard';

/**
 * A project's plugins. The API lists plugins per organization and shows each one per project, so
 * the page lists the organization's and asks the project's setting of each.
 */
export function ProjectPluginsPage() {
  const { organization = '', project = '' } = useParams();
  const access = useOrganizationAccess(organization);
  const catalogue = useQuery({
    queryKey: ['plugins', organization],
    queryFn: () => organizationPlugins(organization),
  });
  const plugins = useQueries({
    queries: (catalogue.data ?? []).map((plugin) => ({
      queryKey: ['plugin', organization, project, plugin.id],
      queryFn: () => projectPlugin(organization, project, plugin.id),
    })),
  });
  const failed = catalogue.error ?? plugins.find((answer) => answer.error)?.error;

  return (
    <>
      <h2>Plugins</h2>
      <p className="muted">
        What runs for this project&apos;s events and alerts. A plugin follows the organization&apos;s setting
        until the project sets its own; secrets are stored encrypted and never shown again.
      </p>
      {failed ? (
        <QueryError error={failed} />
      ) : !catalogue.data || plugins.some((answer) => !answer.data) ? (
        <p className="muted">Loading…</p>
      ) : plugins.length === 0 ? (
        <p className="empty">No plugins are loaded.</p>
      ) : (
        plugins.map(
          (answer) =>
            answer.data && (
              <PluginCard
                key={answer.data.id}
                plugin={answer.data}
                organization={organization}
                project={project}
                canWrite={access.can('project:write')}
              />
            ),
        )
      )}
    </>
  );
}
