/**
 * Carrying out a plan's account actions (account, identity link,
 * membership, attribute updates, conflicts) — the part of the provisioning
 * core every entry point shares: sign-ins (signInFlow.ts) and directory
 * pushes (directoryUserFlow.ts). Deterministic; the world is reached only
 * through `acts`.
 */
import type { ProvisioningActivities } from '../activities/provisioning';
import type { IdentityClaim } from '../src/domain/claim';
import type { ProvisioningPlan } from '../src/domain/planner';
import type { ProvisioningContext } from '../src/domain/provisioningContext';

export type AccountActivities = Pick<ProvisioningActivities, 'ensureUser' | 'linkIdentity' | 'ensureMembership' | 'updateUserAttribute' | 'openConflict'>;

/** A concurrent writer (another identity, another run) changed the world between plan and act: plan again. */
export class StalePlan extends Error {}

export interface CarriedOut {
  userId: string;
  newUser: boolean;
  membership: { membershipId: string; roles: string[]; status: string };
}

/** Run each account action of a plan in order; throws StalePlan when the world moved under it. */
export async function carryOutAccountActions(
  plan: Extract<ProvisioningPlan, { kind: 'provision' }>,
  claim: IdentityClaim,
  scope: ProvisioningContext & { connectionId: string },
  acts: AccountActivities,
  note: (decision: string) => void,
): Promise<CarriedOut> {
  let userId = plan.userId;
  let newUser = false;
  let membership = plan.membership ? { membershipId: plan.membership.id, roles: plan.membership.roles, status: 'active' } : null;
  for (const action of plan.actions) {
    switch (action.kind) {
      case 'createUser': {
        const res = await acts.ensureUser({
          ...scope,
          email: action.email,
          claimEmail: action.claimEmail,
          name: action.name,
          attributes: action.attributes,
        });
        if (!res.createdByThisRun) throw new StalePlan();
        userId = res.userId;
        newUser = true;
        break;
      }
      case 'linkIdentity': {
        if (!userId) throw new StalePlan();
        const res = await acts.linkIdentity({
          ...scope,
          subject: claim.subject,
          userId,
          protocol: claim.protocol ?? 'saml',
        });
        if (res.userId !== userId) throw new StalePlan();
        if (plan.via === 'link') note('linked');
        break;
      }
      case 'createMembership': {
        if (!userId) throw new StalePlan();
        membership = await acts.ensureMembership({ ...scope, userId, roles: action.roles });
        break;
      }
      case 'updateAttribute': {
        if (!userId) throw new StalePlan();
        const { field, from, to } = action;
        const res = await acts.updateUserAttribute({ ...scope, userId, field, from, to });
        if (res === 'stale') throw new StalePlan();
        note(`attribute_updated:${field}`);
        break;
      }
      case 'openConflict': {
        if (!userId) throw new StalePlan();
        const { field, local, asserted } = action;
        await acts.openConflict({ ...scope, userId, field, local, asserted });
        note(`conflict_opened:${field}`);
        break;
      }
    }
  }
  if (!userId || !membership) throw new StalePlan();
  return { userId, newUser, membership };
}
