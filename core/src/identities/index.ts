export { AccountNotLinkedError } from './errors';
export {
  findProviderLinks,
  linksOfOrganization,
  linksOfUser,
  type ExternalIdentity,
  type IdentityLinkRow,
} from './store';
export {
  LINK_REQUEST_TTL_SECONDS,
  createLinkRequest,
  openLinkRequest,
  type LinkRequest,
  type Sealer,
} from './link-requests';
export {
  confirmLink,
  externalId,
  integrationProvider,
  linkIdentity,
  linkedUser,
  unlinkByIdentity,
  unlinkByUser,
  type CredentialFacts,
} from './links';
