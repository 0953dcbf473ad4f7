export { signInWorkflow, decisionUpdate, stateQuery } from './signIn';
