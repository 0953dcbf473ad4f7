import { randomBytes } from 'node:crypto';
import type { InvitationRow } from '../store/invitations';
import type { Store } from '../store/store';
import type { InvitationAcceptor } from '../runs/invitationClient';
import { sha256 } from './invitations';
import { presentInvitation } from './invitationView';
import { ssoRouteOf, type SsoRoute } from './ssoRoute';

/** How long a browser may take through its IdP between the invitation page and the ACS. */
const HANDOFF_TTL_MS = 15 * 60_000;

/** What an SSO return's handoff stands for: the invitation, or why none. */
export type HandoffTaken =
  | { ok: true; invitationId: string }
  | { ok: false; reason: 'invitation_handoff_expired' | 'invitation_other_browser'; invitation: { id: string; tenantId: string } | null };

/** How the invitee signs in (library/ssoRoute.ts). */
export type AcceptRoute = SsoRoute;

/**
 * Invitations, the invitee's side: open the link, sign in (SSO when the
 * tenant's connection governs the address, so an invitation never goes
 * around SSO; else a code to the invited address), carry the invitation
 * through the IdP round trip, accept through the acceptance run. The admin's
 * side is library/invitations.ts.
 */
export function createInvitationLinkLibrary(store: Store, acceptor: InvitationAcceptor, publicUrl: string) {
  /** How the invitee signs in: the tenant's SSO connection when it governs the invited address (library/ssoRoute.ts). */
  const acceptRoute = (inv: Pick<InvitationRow, 'tenantId' | 'email'>): Promise<AcceptRoute> => ssoRouteOf(store, publicUrl, inv.tenantId, inv.email);

  return {
    /** The invitation a link names (null for a dead link), its tenant, and how its invitee signs in. */
    async open(token: string) {
      const live = await store.invitations.tokenByHash(sha256(token));
      const inv = live ? await store.invitations.byId(live.invitationId) : null;
      if (!inv) return null;
      const tenant = await store.tenants.byId(inv.tenantId);
      if (!tenant) return null;
      return { invitation: presentInvitation(inv), tenant: { id: tenant._id, name: tenant.name }, route: await acceptRoute(inv) };
    },

    acceptRoute,

    /**
     * A one-time handle the SSO round trip carries (SAML RelayState `invite:<handle>`, OIDC `?invite=`),
     * bound to the browser that asked for it (http/inviteBrowser.ts).
     */
    async handoff(invitationId: string, browser: string): Promise<string> {
      const handle = randomBytes(24).toString('base64url');
      await store.invitations.createHandoff({ _id: sha256(handle), invitationId, browser: sha256(browser), expiresAt: new Date(Date.now() + HANDOFF_TTL_MS) });
      return handle;
    },

    /**
     * The invitation a handle stands for, once (deleted as read), when the
     * browser completing the sign-in is the one that started it. Another
     * browser's attempt consumes nothing: the invitee can still finish.
     */
    async takeHandoff(handle: string, browser: string | null): Promise<HandoffTaken> {
      const saved = browser ? await store.invitations.takeHandoff(sha256(handle), sha256(browser)) : null;
      if (saved)
        return saved.expiresAt.getTime() > Date.now()
          ? { ok: true, invitationId: saved.invitationId }
          : { ok: false, reason: 'invitation_handoff_expired', invitation: null };
      const other = await store.invitations.handoffById(sha256(handle));
      if (!other || other.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'invitation_handoff_expired', invitation: null };
      const inv = await store.invitations.tenantOf(other.invitationId);
      return { ok: false, reason: 'invitation_other_browser', invitation: inv ? { id: inv._id, tenantId: String(inv.tenantId) } : null };
    },

    /** A refused visit of an invitation link (dead, expired, withdrawn, used) or a late SSO return: audited. */
    async recordRefusal(reason: string, invitation: { id: string; tenantId: string } | null, ip: string): Promise<void> {
      await store.audit.recordAction({
        tenantId: invitation?.tenantId ?? null,
        actor: { type: 'system', id: null },
        action: 'invitation.link_refused',
        target: { type: 'invitation', id: invitation?.id ?? null },
        reason,
        context: { ip },
      });
    },

    accept: (invitationId: string, claim: Parameters<InvitationAcceptor['accept']>[1]) => acceptor.accept(invitationId, claim),
  };
}

export type InvitationLinkLibrary = ReturnType<typeof createInvitationLinkLibrary>;
