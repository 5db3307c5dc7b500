import type { SourceFrame } from '@faultline/plugin-sdk';
import type { Logger } from '../logging';
import { z } from 'zod';
import type { PluginHost } from './host';

/** What a plugin's `sourceLinks` must give back: one http(s) URL or null per frame. */
const linkSchema = z.url({ protocol: /^https?$/ }).nullable();

/**
 * Source links for an event's in-app frames, from every plugin on for the project that offers
 * `hooks.sourceLinks`. Asked while a request is answered, so a plugin that fails, overruns the hook
 * budget or answers in the wrong shape costs only its own links: its failure is counted (as a `hook`
 * failure) and the answer goes on without it.
 */
export class PluginSourceLinks {
  constructor(
    private readonly host: PluginHost,
    private readonly options: { budgetMs: number; log: Logger },
  ) {}

  /** One entry per frame: the first plugin's (in load order) link for it, or null. */
  async linksFor(
    projectId: number,
    release: string | null,
    frames: SourceFrame[],
  ): Promise<(string | null)[]> {
    const links: (string | null)[] = frames.map(() => null);
    if (frames.length === 0) return links;
    for (const plugin of this.host.loaded) {
      if (typeof plugin.hooks.sourceLinks !== 'function') continue;
      if (!(await this.host.isEnabled(plugin.id, projectId))) continue;
      try {
        const answer = await this.host.invoke(
          plugin.id,
          'sourceLinks',
          { projectId: String(projectId), release, frames },
          this.options.budgetMs,
        );
        const parsed = z.array(linkSchema).length(frames.length).safeParse(answer);
        if (!parsed.success)
          throw new Error(
            `sourceLinks must return one http(s) URL or null per frame (${frames.length}): ${parsed.error.issues[0].message}`,
          );
        parsed.data.forEach((link, i) => (links[i] ??= link));
      } catch (error) {
        this.options.log.warn(
          { err: error, plugin: plugin.id },
          'plugin sourceLinks failed; answered without',
        );
        await this.host.recordFailure(plugin.id, 'hook', error);
      }
    }
    return links;
  }
}
