/**
 * One member an admin adds (API creation, an import row), through the core:
 * load the world, plan the admin's or the import row's intent (domain/plan.ts), carry out the
 * same idempotent account activities a sign-in uses. Deterministic (the
 * world only through `acts`), so a workflow runs it with local activities and
 * an import's batch activity runs it with the activity functions themselves.
 */
import type { accountsActivities } from '../activities/accounts';
import type { adminProvisioningActivities } from '../activities/adminProvisioning';
import type { grantsActivities } from '../activities/grants';
import type { LifecycleActivities } from '../activities/lifecycle';
import type { membershipsActivities } from '../activities/memberships';
import { memberIntent, unwritten, type MemberResult } from '../src/domain/memberResult';
import { plan, type MemberRequest } from '../src/domain/plan';
import type { GrantSource } from '../src/domain/groups';
import type { ProvisioningContext } from '../src/domain/provisioningContext';

type Core = ReturnType<typeof adminProvisioningActivities> &
  ReturnType<typeof accountsActivities> &
  ReturnType<typeof membershipsActivities> &
  ReturnType<typeof grantsActivities> &
  LifecycleActivities;
export type MemberProvisioningActivities = Pick<Core, 'loadAdminState' | 'ensureUser' | 'ensureMembership' | 'applyGroupGrant' | 'recordAdminRefusal'>;

export type { MemberResult };

const MAX_PLANS = 3;

/** `linkApproved`: an admin approved this link (an import row's approval request). */
export async function provisionMember(
  request: MemberRequest,
  scope: ProvisioningContext,
  source: GrantSource,
  acts: MemberProvisioningActivities,
  opts: { linkApproved?: boolean } = {},
): Promise<MemberResult> {
  for (let attempt = 1; ; attempt++) {
    const state = await acts.loadAdminState({ run: scope.run, tenantId: scope.tenantId, email: request.email, groups: request.groups });
    const planned = plan(state, memberIntent(request, scope, opts.linkApproved));
    if (planned.outcome !== 'created' && planned.outcome !== 'linked') {
      // A refusal writes nothing but its audit event (`member.<source>_refused`), once per run.
      if (planned.outcome !== 'unchanged') {
        const target = { type: 'email', id: (state.email ?? request.email).slice(0, 320) };
        // The detail of a link refusal is a rule's code (privileged_account…); other details quote the request.
        const detail = planned.reason === 'link_refused' || planned.reason === 'link_requires_approval' ? (planned.detail ?? null) : null;
        await acts.recordAdminRefusal({ ...scope, action: `member.${scope.source}`, target, reason: planned.reason, detail });
      }
      return unwritten(planned);
    }
    let userId: string;
    if (planned.outcome === 'created') {
      const attributes: Record<string, string> = request.externalId ? { externalId: request.externalId } : {};
      const user = await acts.ensureUser({ ...scope, email: state.email ?? request.email, claimEmail: true, name: request.name, attributes });
      // Someone else's account took the email meanwhile: plan again against it.
      if (!user.createdByThisRun) {
        if (attempt < MAX_PLANS) continue;
        return { outcome: 'failed', reason: 'concurrent_change', detail: null, userId: null };
      }
      userId = user.userId;
    } else {
      userId = planned.userId;
    }
    const membership = await acts.ensureMembership({ ...scope, userId, roles: planned.roles });
    // A sign-in or another admin made the membership meanwhile: theirs stands.
    if (!membership.createdByThisRun) return { outcome: 'unchanged', reason: null, detail: null, userId };
    for (const group of planned.groups) {
      await acts.applyGroupGrant({
        ...scope,
        connectionId: scope.actor.id ?? source,
        userId,
        grant: { kind: 'group', value: group, source },
        createGroup: false,
      });
    }
    return { outcome: planned.outcome, reason: null, detail: null, userId };
  }
}
