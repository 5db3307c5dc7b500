export { readIntegrationCursor, saveIntegrationCursor } from './cursors';
export {
  deleteInstallation,
  INSTALLATIONS_PURPOSE,
  listInstallations,
  readInstallation,
  saveInstallation,
  type Installation,
  type InstallationKey,
} from './installations';
