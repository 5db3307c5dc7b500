import { useQuery } from '@tanstack/react-query';
import { organizations } from '../../api/faultline';
import { organizationPlugins } from '../../api/settings';

/**
 * "Connect GitHub" for each of your organizations, when the GitHub plugin is loaded and can sign
 * people in (its OAuth client is set up): a plain link to the plugin's route, which sends you through
 * GitHub's authorize page and back to your linked accounts (extensions/github/README.md).
 */
export function ConnectGitHub() {
  const list = useQuery({ queryKey: ['organizations'], queryFn: organizations });
  return (
    <ul className="connect-list">
      {list.data?.map((organization) => (
        <ConnectIn key={organization.slug} slug={organization.slug} name={organization.name} />
      ))}
    </ul>
  );
}

function ConnectIn({ slug, name }: { slug: string; name: string }) {
  const plugins = useQuery({
    queryKey: ['organization-plugins', slug],
    queryFn: () => organizationPlugins(slug),
  });
  const github = plugins.data?.find((plugin) => plugin.id === 'github');
  if (!github?.config.oauthClientId) return null;
  return (
    <li>
      <a href={`/api/0/plugins/github/connect?organization=${encodeURIComponent(slug)}`}>Connect GitHub</a>{' '}
      <span className="muted">in {name}</span>
    </li>
  );
}
