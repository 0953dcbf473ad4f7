import type { InferSchemaType, Types } from 'mongoose';
import { insertManyOnce } from './insertMany';
import { keyedCollection } from './keyed';
import type { Models } from './models';
import type { UserDoc, userEmailSchema } from './models/user';
import { readCustomAttributes, setCustomAttribute } from './userAttributes';

/** An account as stored (lean). */
export type UserRow = UserDoc;
/** An email's claim as stored (lean): `_id` is the normalized email, `userId` the account it names. */
export type UserEmailRow = InferSchemaType<typeof userEmailSchema> & { _id: string };

/** Accounts, their email claims (`user_emails`, keyed by the normalized email) and their custom attributes, as activities write them. */
export function createUserStore(models: Models) {
  return {
    /** Raise the account's last sign-in time to `at` (never lowers it). */
    markSignedIn: async (id: Types.ObjectId, at: Date) => {
      await models.users.updateOne({ _id: id }, { $max: { lastSignInAt: at } });
    },
    /** The account, or null. */
    byId: (id: Types.ObjectId | string) => models.users.findById(id).lean(),
    /** The account whose own `email` field is this (normalized) email, or null (no claim read). */
    byEmail: (email: string) => models.users.findOne({ email }).lean(),
    /** Accounts created once under a key chosen by the caller (activities' insert-once). */
    keyed: keyedCollection<UserRow>(models.users),
    /** Insert account `_id` with `fields` unless it exists, answering it as stored; a duplicate key (its email taken) is thrown to the caller. */
    insertIfAbsent: (_id: Types.ObjectId, fields: Record<string, unknown>) =>
      models.users.findOneAndUpdate({ _id }, { $setOnInsert: fields }, { upsert: true, new: true }).lean(),
    /** Insert accounts in one unordered command; answers the `_id`s refused as taken (insertManyOnce). */
    insertMany: (docs: ReadonlyArray<{ _id: unknown }>) => insertManyOnce(models.users, docs),
    /** The claim of this (normalized) email, or null. */
    emailClaim: (email: string) => models.userEmails.findById(email).lean(),
    /** Email claims created once under the email (activities' insert-once). */
    emailClaims: keyedCollection<UserEmailRow>(models.userEmails),
    /** Insert email claims in one unordered command; answers the emails refused as taken (insertManyOnce). */
    insertEmailClaims: (claims: ReadonlyArray<{ _id: string }>) => insertManyOnce(models.userEmails, claims),
    /** Point the email's claim at this account, with no run as its creator. */
    repointEmailClaim: async (email: string, userId: Types.ObjectId) => {
      await models.userEmails.updateOne({ _id: email }, { $set: { userId, createdBy: null } });
    },
    /** setCustomAttribute: set one custom attribute of the account (an upsert by `_id`). */
    setCustomAttribute: (userId: string, name: string, value: string | null) => setCustomAttribute(models, userId, name, value),
    /** readCustomAttributes: the account's values of the named custom attributes. */
    customAttributes: (user: { _id: Types.ObjectId; attributes?: unknown }, names: readonly string[]) => readCustomAttributes(models, user, names),
  };
}
