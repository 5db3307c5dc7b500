import { INTEGRATION_CLIENTS } from '@faultline/plugin-sdk';

/** The integration clients as an SQL list for a CHECK constraint: `'slack', 'github'`. */
export function integrationProvidersSql(): string {
  return INTEGRATION_CLIENTS.map((p) => {
    if (!/^[a-z]+$/.test(p)) throw new Error(`Not a plain word for a CHECK list: ${p}`);
    return `'${p}'`;
  }).join(', ');
}
