import { defineIssueAction, z, type IssueSummary } from '@faultline/plugin-sdk';
import { configSchema } from './config';
import type { Services } from './context';
import { createGitHubIssue, linkGitHubIssue } from './create-link';
import { parseLinkKey } from './links';

/** Offered only where the project has a repository connected and GitHub credentials to reach it. */
async function connected(services: Services, issue: IssueSummary): Promise<boolean> {
  const config = configSchema.safeParse(await services.config.forProject(issue.projectId));
  return config.success && config.data.connections.length > 0 && !!(config.data.token || config.data.app);
}

/** `acme/api#12`, as people write a GitHub issue. */
function named(key: string): string {
  const ref = parseLinkKey(key);
  return ref ? `${ref.repository}#${ref.number}` : key;
}

export function issueActions(services: Services) {
  const createIssue = defineIssueAction({
    id: 'create-issue',
    label: 'Create GitHub issue',
    description: 'Opens a GitHub issue with the error, the stack trace linked to the code, and a link back',
    input: z.object({
      repository: z.string().optional().describe('owner/name of a connected repository (default: the first)'),
      labels: z.array(z.string().min(1)).optional(),
      assignees: z.array(z.string().min(1)).optional().describe('GitHub logins'),
    }),
    available: (issue) => connected(services, issue),
    async run({ issue, input }) {
      const { link, created } = await createGitHubIssue(services, issue, input);
      return {
        message: `${created ? 'Created' : 'Already linked to'} ${named(link.key)}`,
        url: link.url,
        externalIssue: link,
      };
    },
  });
  const linkIssue = defineIssueAction({
    id: 'link-issue',
    label: 'Link existing GitHub issue',
    description: 'Links a GitHub issue of a connected repository, with a comment there linking back',
    input: z.object({
      issue: z.string().min(1).describe('The GitHub issue: its URL, owner/name#number, or #number'),
    }),
    available: (issue) => connected(services, issue),
    async run({ issue, input }) {
      const { link } = await linkGitHubIssue(services, issue, input.issue);
      return { message: `Linked ${named(link.key)}`, url: link.url, externalIssue: link };
    },
  });
  return [createIssue, linkIssue];
}
