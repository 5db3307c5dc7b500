export {
  startSlackApp,
  mountableSlackApp,
  EVENTS_PATH,
  type MountedSlackApp,
  type RunningSlackApp,
} from './app';
export { readSettings, settingsSchema, type SlackAppSettings } from './settings';
