import { ApplicationFailure } from '@temporalio/common';
import { Types } from 'mongoose';
import { identityKey } from '../src/store/identities';
import type { ClaimProtocol } from '../src/domain/claim';
import { normalizeEmail } from '../src/domain/email';
import { sameRun } from '../src/domain/runRef';
import { isDuplicateKeyError } from '../src/errors';
import { FAILURE_TYPES } from '../src/domain/failureTypes';
import { actorOf } from '../src/domain/provisioningContext';
import { deterministicId, oid, type ActivitySupport, type RunScoped } from './support';

/** Accounts and identities: the email claim, the account, the (connection, subject) link. Every activity is idempotent (see support.ts). */
export function accountsActivities({ store, runAudit, insertOnce }: ActivitySupport) {
  /** The account of an address nobody verified: no email claim; its `_id` comes from the run, so a retry finds it again. */
  async function ensureUnclaimedUser(
    input: RunScoped & { tenantId: string; email: string; name: string | null; attributes?: Record<string, string> },
  ): Promise<{ userId: string; createdByThisRun: boolean }> {
    const _id = deterministicId(`${input.run.workflowId}:${input.run.runId}:user`);
    const user = await store.users.keyed.insertIfAbsent(_id, { unverifiedEmail: input.email, name: input.name, createdBy: input.run });
    await Promise.all(Object.entries(input.attributes ?? {}).map(([name, value]) => store.users.setCustomAttribute(String(_id), name, value)));
    await runAudit(input.run, 'user.created', {
      tenantId: input.tenantId,
      actor: actorOf(input),
      action: 'user.created',
      target: { type: 'user', id: String(_id) },
      userId: String(_id),
      after: { email: null, unverifiedEmail: input.email, name: user.name ?? null },
    });
    return { userId: String(_id), createdByThisRun: sameRun(user.createdBy, input.run) };
  }

  return {
    /**
     * Create the account for an email unless one exists. `createdByThisRun` is
     * false when someone else holds it. With `claimEmail: false` (an address
     * the IdP did not verify) the account is created without claiming it.
     */
    async ensureUser(
      input: RunScoped & { tenantId: string; email: string; claimEmail?: boolean; name: string | null; attributes?: Record<string, string> },
    ): Promise<{ userId: string; createdByThisRun: boolean }> {
      const email = normalizeEmail(input.email);
      if (!email) throw ApplicationFailure.nonRetryable('email is not valid', FAILURE_TYPES.invalidEmail);
      if (input.claimEmail === false) return ensureUnclaimedUser({ ...input, email });
      // Claim the email first (keyed by the email itself), then create the account it names.
      const claimRow = await store.users.emailClaims.insertIfAbsent(email, { userId: new Types.ObjectId(), createdBy: input.run });
      if (!sameRun(claimRow.createdBy, input.run)) return { userId: String(claimRow.userId), createdByThisRun: false };
      let user;
      try {
        user = await store.users.insertIfAbsent(claimRow.userId, {
          email,
          displayEmail: input.email.trim(),
          name: input.name,
          createdBy: input.run,
        });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        user = await store.users.byId(claimRow.userId);
        if (!user) {
          // Another account holds the email without a claim (data from before claims existed): the
          // unique email index refused a second account. Point the claim at it and let the run
          // re-plan — linking it is the link policy's decision, never this activity's.
          const legacy = await store.users.byEmail(email);
          if (!legacy) throw err;
          await store.users.repointEmailClaim(email, legacy._id);
          return { userId: String(legacy._id), createdByThisRun: false };
        }
      }
      if (!user) throw new Error('user upsert returned nothing');
      const createdByThisRun = sameRun(user.createdBy, input.run);
      if (createdByThisRun) {
        // Custom attributes are documents of their own (user_attributes); upserts, so a retry rewrites the same values.
        await Promise.all(Object.entries(input.attributes ?? {}).map(([name, value]) => store.users.setCustomAttribute(String(user._id), name, value)));
        await runAudit(input.run, 'user.created', {
          tenantId: input.tenantId,
          actor: actorOf(input),
          action: 'user.created',
          target: { type: 'user', id: String(user._id) },
          userId: String(user._id),
          after: { email: user.email ?? null, name: user.name },
        });
      }
      return { userId: String(user._id), createdByThisRun };
    },

    /** Link (connection, subject) to the user. Returns the user the identity is actually linked to. */
    async linkIdentity(
      input: RunScoped & { tenantId: string; connectionId: string; subject: string; userId: string; protocol: ClaimProtocol },
    ): Promise<{ userId: string; createdByThisRun: boolean }> {
      const fields = {
        connectionId: oid(input.connectionId),
        subject: input.subject,
        tenantId: oid(input.tenantId),
        userId: oid(input.userId),
        protocol: input.protocol,
      };
      const { doc: identity, createdByThisRun } = await insertOnce(
        store.identities.keyed,
        identityKey(input.connectionId, input.subject),
        fields,
        input.run,
        (i) => ({
          step: 'identity.linked',
          event: {
            tenantId: input.tenantId,
            actor: actorOf(input),
            action: 'identity.linked',
            target: { type: 'identity', id: String(i._id) },
            userId: String(i.userId),
            after: { connectionId: input.connectionId, subject: input.subject, protocol: input.protocol },
          },
        }),
      );
      return { userId: String(identity.userId), createdByThisRun };
    },
  };
}
