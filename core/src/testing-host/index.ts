/**
 * The plugin test host: implements `startTestHost` of `@faultline/plugin-sdk/testing`, which loads
 * this module by package name (`@faultline/core/testing-host`) at run time. It loads what the host
 * needs itself (tsyringe's `reflect-metadata`), so a plugin's test runner needs no preload.
 */
import 'reflect-metadata';
export { startTestHost } from './test-host';
