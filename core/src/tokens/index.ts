export { TOKEN_COLUMNS, findToken, insertToken, tokensOf, type TokenRow, type TokenOwner } from './store';
export {
  USER_TOKEN_CLIENTS,
  ORGANIZATION_TOKEN_CLIENTS,
  issueUserToken,
  issueOrganizationToken,
  revokeUserToken,
  revokeUserClientTokens,
  revokeOrganizationToken,
} from './rules';
export { findLiveToken, isTokenLive, touchToken, type TokenCredential } from './credentials';
