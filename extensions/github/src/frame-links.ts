import type { SourceLinksRequest } from '@faultline/plugin-sdk';
import { configSchema } from './config';
import type { Services } from './context';
import { frameLink, releaseCommit, webUrlOf } from './source-links';

/**
 * The `sourceLinks` hook: each frame's line on GitHub through the code mappings of the project's
 * connections (the first connection that maps the frame wins), at the release's commit when the
 * release names one, else at the mapping's branch. Config only: no call to GitHub, so it stays within
 * the budget of the request it is asked during.
 */
export async function sourceLinks(
  services: Services,
  request: SourceLinksRequest,
): Promise<(string | null)[]> {
  const config = configSchema.parse(await services.config.forProject(request.projectId));
  const webUrl = webUrlOf(config.baseUrl);
  const commit = releaseCommit(request.release ?? undefined);
  return request.frames.map((frame) => {
    for (const connection of config.connections) {
      const link = frameLink(webUrl, connection.repository, connection.codeMappings, frame, commit);
      if (link) return link;
    }
    return null;
  });
}
