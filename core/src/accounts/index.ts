export {
  AccountsRepository,
  type Organization,
  type Project,
  type ProjectKey,
  type User,
} from './repository';
export { bootstrap, ADMIN_SCOPES, type BootstrapOptions, type BootstrapResult } from './bootstrap';
export { buildDsn } from './dsn';
export { hashToken, newApiToken, newOrganizationApiToken, newProjectKeyParts } from './secrets';
