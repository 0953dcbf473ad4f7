import { ensurePythonTools } from './pythonTools';

/** The peer SCIM conformance suites from PyPI, pinned: scim2-cli runs scim2-tester (`scim … test`); scim-sanity probes. */
export const SCIM_PEER_PACKAGES = ['scim2-cli==0.6.0', 'scim2-tester==0.5.2', 'scim-sanity==0.7.4'] as const;

export interface ScimPeerSuites {
  /** `scim` (scim2-cli): `scim --url URL -h "Authorization: Bearer T" test`. */
  scim2Cli: string;
  /** `scim-sanity probe URL --token T`. */
  scimSanity: string;
}

/** The SCIM conformance suites, in their cached virtualenv (installed on first use). */
export async function ensureScimPeerSuites(cache: string): Promise<ScimPeerSuites> {
  const bins = await ensurePythonTools(cache, 'scim-peers', SCIM_PEER_PACKAGES, ['scim', 'scim-sanity']);
  return { scim2Cli: bins.scim, scimSanity: bins['scim-sanity'] };
}
