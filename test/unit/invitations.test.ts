import { describe, expect, it } from 'vitest';
import { checkAcceptance, invitationStatus, type InvitationFacts } from '../../src/domain/invitations';

const inv: InvitationFacts = { tenantId: 't1', email: 'ann@inv.test', allowAnyEmail: false, status: 'pending', expiresAt: 2_000 };
const ann = { tenantId: 't1', email: 'ann@inv.test', emailVerified: true };

describe('invitations', () => {
  it('reads pending past its expiry as expired', () => {
    expect(invitationStatus(inv, 1_999)).toBe('pending');
    expect(invitationStatus(inv, 2_000)).toBe('expired');
    expect(invitationStatus({ ...inv, status: 'accepted' }, 9_999)).toBe('accepted');
  });

  it('lets the invited person accept a pending invitation of the tenant they signed in to', () => {
    expect(checkAcceptance(inv, ann, 1_000)).toBeNull();
  });

  it('refuses a missing, revoked, expired or used invitation, another tenant, an unverified or another address', () => {
    expect(checkAcceptance(null, ann, 1_000)).toBe('invitation_not_found');
    expect(checkAcceptance({ ...inv, status: 'revoked' }, ann, 1_000)).toBe('invitation_revoked');
    expect(checkAcceptance(inv, ann, 3_000)).toBe('invitation_expired');
    expect(checkAcceptance({ ...inv, status: 'accepted' }, ann, 1_000)).toBe('invitation_used');
    expect(checkAcceptance(inv, { ...ann, tenantId: 't2' }, 1_000)).toBe('invitation_wrong_tenant');
    expect(checkAcceptance(inv, { ...ann, emailVerified: false }, 1_000)).toBe('email_not_verified');
    expect(checkAcceptance(inv, { ...ann, email: 'eve@inv.test' }, 1_000)).toBe('invitation_wrong_account');
  });

  it('accepts any verified or unverified address only when the admin allowed any', () => {
    expect(checkAcceptance({ ...inv, allowAnyEmail: true }, { ...ann, email: 'eve@else.test', emailVerified: false }, 1_000)).toBeNull();
  });
});
