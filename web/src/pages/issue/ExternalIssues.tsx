import { useQuery } from '@tanstack/react-query';
import { externalIssues } from '../../api/issues';
import { ErrorMessage } from '../../components/ErrorMessage';

/** Links to what plugins linked to the issue elsewhere (a GitHub issue, a Slack card). */
export function ExternalIssues({ issueId }: { issueId: string }) {
  const links = useQuery({ queryKey: ['external-issues', issueId], queryFn: () => externalIssues(issueId) });
  if (links.error) return <ErrorMessage error={links.error} />;
  if (!links.data || links.data.length === 0) return null;
  return (
    <section aria-label="Linked issues">
      <h2>Linked</h2>
      <ul className="external-issues">
        {links.data.map((link) => (
          <li key={`${link.plugin}:${link.key}`}>
            <a href={link.url} rel="noreferrer" target="_blank">
              {link.title ?? link.key}
            </a>{' '}
            <span className="muted">({link.plugin})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
