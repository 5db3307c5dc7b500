export { startSlackApp, EVENTS_PATH, type RunningSlackApp } from './app';
export { readSettings, settingsSchema, type SlackAppSettings } from './settings';
