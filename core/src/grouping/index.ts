export { computeGrouping, explainGrouping } from './compute-grouping';
export type { ExplainedVariant, GroupingExplanation } from './compute-grouping';
export type { GroupingComponent } from './component';
export { deriveCulprit } from './culprit';
export { deriveIssueMetadata } from './issue-metadata';
export { normalizeMessage } from './normalize-message';
export { GROUPING_VERSION } from './types';
export type { GroupingResult, GroupingVariant, IssueMetadata } from './types';
