/** The scope rules live in the access domain; re-exported for the API's modules. */
export { grantsScope, type Scope } from '../access';
