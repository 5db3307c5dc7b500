export {
  startSlackApp,
  mountableSlackApp,
  EVENTS_PATH,
  type MountedSlackApp,
  type MountedSlackAppSettings,
  type RunningSlackApp,
} from './app';
export { readSettings, settingsSchema, type SlackAppSettings } from './settings';
