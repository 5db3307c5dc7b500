export {
  CHANGE_KINDS,
  CHANGE_SURFACES,
  type ChangeKind,
  type ChangeSurface,
  type NewIssueChange,
  type IssueChangeRecord,
} from './kinds';
export { recordIssueChanges } from './record';
export { readChangesAfter, currentChangeCursor } from './read';
export { parseCursor, formatCursor, type ChangeCursor } from './cursor';
export { LeasedCursor, type LeasedCursorRow, type RoundWork } from './leased-cursor';
export { CHANGE_CURSORS, OutboxReader, type OutboxReaderOptions } from './outbox-reader';
export { pruneChanges, isBeforeHorizon } from './prune';
