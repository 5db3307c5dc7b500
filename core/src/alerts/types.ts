/**
 * Plain facts about alert rules that other domains need without depending on the alerts domain:
 * the issues domain keeps per-minute counters only for rules with these triggers, and alerts
 * builds on issues, so it reads them from here rather than through alerts/index.ts.
 */

/** Triggers evaluated every minute against per-minute counters (Sentry's event frequency conditions). */
export const FREQUENCY_TRIGGER_IDS = ['event_frequency', 'event_unique_user_frequency'] as const;
export type FrequencyTriggerId = (typeof FREQUENCY_TRIGGER_IDS)[number];
