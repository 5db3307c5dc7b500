export { readIntegrationCursor, saveIntegrationCursor } from './cursors';
export {
  deleteInstallation,
  readInstallation,
  saveInstallation,
  type Installation,
  type InstallationKey,
} from './installations';
