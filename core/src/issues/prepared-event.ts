import type { NormalizedEvent } from '../events';
import type { GroupingResult, IssueMetadata } from '../grouping';

/** Everything the event store needs about one event, computed (by the pipeline) without touching the database. */
export interface PreparedEvent {
  rawId: string;
  projectId: number;
  receivedAt: Date;
  timestamp: Date;
  event: NormalizedEvent;
  grouping: GroupingResult;
  issue: IssueMetadata;
  /** Identifies the user for `userCount`, e.g. `id:42`; undefined when the event names no user. */
  userKey: string | undefined;
  isUnhandled: boolean;
  /**
   * The stored event JSON (the normalized event plus what grouping derived), ready for the `data`
   * column. Serialized while preparing, one event at a time, so a value JSON can't write fails
   * that event alone instead of the whole batch's insert.
   */
  dataJson: string;
}
