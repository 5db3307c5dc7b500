import { definePlugin } from '@faultline/plugin-sdk';

export default definePlugin({
  id: 'from-the-future',
  version: '1.0.0',
  hostVersion: '^99.0.0',
  register() {
    throw new Error('must not be called: the host version does not match');
  },
});
