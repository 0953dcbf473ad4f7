import type { Models } from './models';

/** The server-side half of an OIDC login as the library keeps it (keyed by its `state`). */
export interface StoredOidcLogin {
  connectionId: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string | null;
  invite: string | null;
  expiresAt: Date;
}

/** OIDC logins under way (`_id` = the state parameter). */
export function createOidcLoginStateStore(models: Models) {
  return {
    /** Keep a login under its state; a state already kept throws the driver's duplicate-key error. */
    save: async (state: string, login: StoredOidcLogin) => {
      await models.oidcStates.create({ _id: state, ...login });
    },
    /** Read and delete a login in one command (one use), or null. */
    take: (state: string) => models.oidcStates.findOneAndDelete({ _id: state }).lean(),
  };
}
