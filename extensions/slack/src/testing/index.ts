export { startSlackStandIn, type SlackStandIn, type RecordedCall } from './slack-stand-in';
export { blockKitProblems } from './block-kit-check';
