// Not made with definePlugin, and with a bad id: the host must skip it with a message.
export default {
  $$type: '@faultline/plugin',
  id: 'Bad Plugin!',
  version: '1.0.0',
  hostVersion: '*',
  register: 1,
};
