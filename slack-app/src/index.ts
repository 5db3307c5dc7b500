export {
  startSlackApp,
  mountableSlackApp,
  EVENTS_PATH,
  INSTALL_PATH,
  OAUTH_REDIRECT_PATH,
  type MountedSlackApp,
  type MountedSlackAppSettings,
  type RunningSlackApp,
  type SlackRoute,
} from './app';
export {
  readSettings,
  readSlackSettings,
  settingsSchema,
  slackSettingsSchema,
  SLACK_SETTING_NAMES,
  type SlackAppSettings,
  type SlackSettings,
} from './settings';
