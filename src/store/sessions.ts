import type { Models } from './models';

/** Browser sessions as the provisioning activities end them (express-session's own store: sessionStore.ts). */
export function createSessionStore(models: Models) {
  return {
    /** Delete the person's sessions signed in to this tenant; answers how many went. */
    endForTenant: async (userId: string, tenantId: string): Promise<number> =>
      (await models.sessions.deleteMany({ 'session.userId': userId, 'session.tenantId': tenantId })).deletedCount,
  };
}
