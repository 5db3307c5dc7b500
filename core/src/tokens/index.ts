export { TOKEN_COLUMNS, findToken, tokensOf, type TokenRow, type TokenOwner } from './store';
export {
  USER_TOKEN_CLIENTS,
  ORGANIZATION_TOKEN_CLIENTS,
  issueUserToken,
  issueOrganizationToken,
  revokeUserToken,
  revokeUserClientTokens,
  revokeOrganizationToken,
} from './rules';
