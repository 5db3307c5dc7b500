export type { PreparedEvent } from './prepared-event';
export { storeEventBatch, type StoreSummary } from './event-store';
export { pgJson } from './pg-text';
export {
  findIssueById,
  findIssueByShortId,
  findIssuesByShortIdInAnyOrganization,
  findIssuesByIds,
  findIssuesInAnyOrganization,
  listIssueEvents,
  findIssueEdgeEvent,
  findLatestEventRelease,
  findIssueEvent,
  findProjectEvent,
  findNeighbourEventIds,
  listIssueTagValues,
  listTagsOfIssues,
  listIssueIdsAfter,
  countAllIssues,
  countIssueEvents,
  ISSUE_STATUSES,
  type IssueStatus,
  type IssueRow,
  type EventRow,
  type EventListOptions,
  type TagValueCount,
  type EventCountBucket,
} from './queries';
export {
  changeIssues,
  resolveAssignee,
  applyIssueChange,
  lockIssueStates,
  issueChangeRecords,
  type Assignee,
  type IssueChange,
  type IssueChangeActor,
  type IssueState,
} from './update';
export {
  addIssueComment,
  countIssueComments,
  editIssueComment,
  deleteIssueComment,
  listIssueComments,
  commentTextProblem,
  MAX_COMMENT_CHARS,
  type IssueCommentRow,
} from './comments';
export {
  linkExternalIssue,
  listExternalLinks,
  listIssueExternalLinks,
  findIssueIdsByExternalKey,
  type ExternalLinkRow,
} from './external-links';
export { listIssueActivity, type ActivityIssue, type IssueActivity } from './activity';
export { formatShortId, issuePermalink } from './links';
export { parseAssigneeRef, parseShortId } from './types';
export { findVisibleIssue } from './visible';
export { issueSummaryOf } from './summary';
export { listProjectEnvironments } from './environments';
export { countIssuesFirstSeenIn, firstReleaseKey } from './first-release';
export { listCodeLocations, type CodeLocationFilter, type IssueCodeLocation } from './code-locations';
export type { CodeFrame, ExceptionSummary } from './code-location-frames';
