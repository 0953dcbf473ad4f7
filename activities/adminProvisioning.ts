import { loadAdminWorld, type AdminStateAsk, type SharedReads } from '../src/store/adminWorld';
import type { ActivitySupport } from './support';

export type { AdminStateAsk, SharedReads } from '../src/store/adminWorld';

/** Loading the world an admin's request (API, import row, invitation) is planned against (src/store/adminWorld.ts). */
export function adminProvisioningActivities({ store }: ActivitySupport) {
  return {
    /** The world as it was before this run: see loadAdminWorld. */
    loadAdminState: (ask: AdminStateAsk, shared?: SharedReads) => loadAdminWorld(store, ask, shared),
  };
}
