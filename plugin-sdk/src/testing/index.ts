/**
 * `@faultline/plugin-sdk/testing`: a real Faultline host for plugin tests. See README.md,
 * "Testing a plugin".
 */
export { startTestHost } from './start-test-host';
export {
  TEST_HOST_MODULE,
  type TestHost,
  type TestHostOptions,
  type TestHostModule,
  type TestEvent,
  type PluginFailureReport,
} from './contract';
