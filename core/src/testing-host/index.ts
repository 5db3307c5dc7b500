/**
 * The plugin test host: implements `startTestHost` of `@faultline/plugin-sdk/testing`, which loads
 * this module by package name (`@faultline/core/testing-host`) at run time.
 */
export { startTestHost } from './test-host';
