export { openRuntime, startServices, type Runtime, type RunningServer } from './runtime';
export { TOKENS } from './tokens';
