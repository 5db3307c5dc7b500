import type { NormalizedEvent } from '../events/types';
import { type GroupingComponent, contributingLeaves, hasContributing, ignore, leaf, node } from './component';
import { singleThreadFrames, topLevelFrames } from './event-stacks';
import { exceptionChainComponent } from './exception';
import { type FingerprintPlan, planFingerprint } from './fingerprint';
import { hashLeaves } from './hash';
import { groupingMessageText } from './message-text';
import { normalizeMessage } from './normalize-message';
import { type StackVariant, stacktraceComponent } from './stacktrace';
import { GROUPING_VERSION, type GroupingResult, type GroupingVariant } from './types';

export interface ExplainedVariant {
  name: GroupingVariant;
  /** Set when the variant contributes a hash. */
  hash?: string;
  component: GroupingComponent;
}

/** Everything `computeGrouping` decided, for debugging and a future "why grouped" view. */
export interface GroupingExplanation extends GroupingResult {
  variants: ExplainedVariant[];
  fingerprint: FingerprintPlan;
}

type DefaultVariant = { name: GroupingVariant; component: GroupingComponent };

/** Strategies in Sentry's priority order; the first one that contributes decides. */
function stackStrategies(event: NormalizedEvent): Array<(variant: StackVariant) => GroupingComponent> {
  const strategies: Array<(variant: StackVariant) => GroupingComponent> = [];
  const exceptions = event.exception?.values ?? [];
  if (exceptions.length > 0) {
    strategies.push((variant) => exceptionChainComponent(exceptions, event.platform, variant));
  }
  const topLevel = topLevelFrames(event);
  if (topLevel) strategies.push((variant) => stacktraceComponent(topLevel, event.platform, variant));
  const thread = singleThreadFrames(event);
  if (thread) {
    strategies.push((variant) => node('threads', [stacktraceComponent(thread, event.platform, variant)]));
  }
  return strategies;
}

function defaultVariants(event: NormalizedEvent): DefaultVariant[] {
  for (const strategy of stackStrategies(event)) {
    const app = strategy('app');
    const system = strategy('system');
    if (!system.contributes) continue;
    // Without an in-app frame the app variant would be type + value only, which would merge every
    // error of one type; Sentry then drops it in favour of the full (system) stack.
    if (!hasContributing(app, 'stacktrace')) ignore(app, 'ignored because no in-app frame contributes');
    return [
      { name: 'app', component: app },
      { name: 'system', component: system },
    ];
  }
  const text = groupingMessageText(event);
  const message = leaf('message', text ? normalizeMessage(text) : undefined);
  if (message.contributes) return [{ name: 'message', component: message }];
  return [{ name: 'fallback', component: { id: 'fallback', values: [], contributes: true } }];
}

function defaultLeaves(component: GroupingComponent): Array<[string, string]> {
  const leaves = contributingLeaves(component);
  return leaves.length > 0 ? leaves : [[component.id, '']];
}

/** Sentry's grouping, with each default variant hashed and explained. */
export function explainGrouping(event: NormalizedEvent): GroupingExplanation {
  const fingerprint = planFingerprint(event);
  const defaults = defaultVariants(event);
  const variants: ExplainedVariant[] = [];

  if (fingerprint.mode === 'replace') {
    const component = node(
      'custom-fingerprint',
      fingerprint.values.map((value) => leaf('fingerprint', value || '<empty>')),
    );
    variants.push({
      name: 'custom-fingerprint',
      hash: hashLeaves(fingerprint.values.map((value) => ['fingerprint', value])),
      component,
    });
    for (const { name, component: replaced } of defaults) {
      variants.push({
        name,
        component: ignore(replaced, 'ignored because a custom fingerprint replaces it'),
      });
    }
  } else {
    for (const { name, component } of defaults) {
      if (!component.contributes) {
        variants.push({ name, component });
        continue;
      }
      // `{{ default }}` is expanded in place, so `["{{ default }}", "x"]` salts the default hash.
      const leaves =
        fingerprint.mode === 'extend'
          ? fingerprint.entries.flatMap((entry): Array<[string, string]> =>
              entry.kind === 'default' ? defaultLeaves(component) : [['fingerprint', entry.value]],
            )
          : defaultLeaves(component);
      variants.push({ name, hash: hashLeaves(leaves), component });
    }
  }

  const contributing = variants.filter((variant) => variant.hash !== undefined);
  const hashes = [...new Set(contributing.map((variant) => variant.hash as string))];
  return { hashes, variant: contributing[0].name, version: GROUPING_VERSION, variants, fingerprint };
}

/**
 * Hashes an event the way Sentry does: custom fingerprint, else the exception chain (in-app frames
 * first, all frames as the secondary hash), else a stack trace, else the normalized message. The
 * first hash is primary; any of them may match an existing issue.
 */
export function computeGrouping(event: NormalizedEvent): GroupingResult {
  const { hashes, variant, version } = explainGrouping(event);
  return { hashes, variant, version };
}
