import type { Store } from '../store/store';

const STATE_TTL_MS = 10 * 60_000;

export interface OidcLoginState {
  state: string;
  connectionId: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string | null;
  /** The invitation handoff this login carries (the sign-in accepts an invitation), or null. */
  invite: string | null;
}

/** The server-side half of an OIDC login (state, nonce, PKCE verifier): stored at the redirect, taken once at the callback. */
export function createOidcLoginStateLibrary(store: Store) {
  return {
    async begin(login: OidcLoginState): Promise<void> {
      const { state, ...rest } = login;
      await store.oidcLoginStates.save(state, { ...rest, expiresAt: new Date(Date.now() + STATE_TTL_MS) });
    },

    /** One use: deleted as it is read. Null when unknown, already used, expired, or another connection's. */
    async take(state: string, connectionId: string): Promise<Omit<OidcLoginState, 'connectionId'> | null> {
      if (!state) return null;
      const saved = await store.oidcLoginStates.take(state);
      if (!saved || saved.connectionId !== connectionId || saved.expiresAt.getTime() < Date.now()) return null;
      return { state: saved._id, nonce: saved.nonce, codeVerifier: saved.codeVerifier ?? '', returnTo: saved.returnTo ?? null, invite: saved.invite ?? null };
    },
  };
}
