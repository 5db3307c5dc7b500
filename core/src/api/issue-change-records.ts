/** Moved to the issues domain, where every surface's changes are recorded; kept for older imports. */
export { issueChangeRecords, lockIssueStates, type IssueState } from '../issues';
