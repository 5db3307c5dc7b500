/**
 * Test helpers for the GitHub plugin (`@faultline/extension-github/testing`): the stand-in GitHub on
 * loopback that checks requests against GitHub's REST description, and signed webhook deliveries
 * made from GitHub's own examples. Used by the plugin's tests and the end-to-end tests.
 */
export {
  StandInGitHub,
  type RecordedRequest,
  type StandInIssue,
  type StandInCommit,
} from './stand-in-github';
export { checkRequest, USED_OPERATIONS } from './openapi-check';
export {
  example,
  inRepository,
  issueEvent,
  assignmentEvent,
  commentEvent,
  pushEvent,
  signature,
  deliver,
} from './webhook-deliveries';
export { newIssuesToGitHub } from './alert-rule';
