import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { runRefSchema } from './runRef';

/**
 * An invitation to a tenant. Its token is never stored: only
 * its SHA-256, in `invitation_tokens` (keyed by the hash, so opening a link
 * is one keyed read). Status `pending` past `expiresAt` reads as expired.
 */
export const invitationSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    /** Normalized. */
    email: { type: String, required: true },
    roles: { type: [String], default: [] },
    groups: { type: [String], default: [] },
    /** The admin allowed anyone holding the link to accept, whatever their verified email. */
    allowAnyEmail: { type: Boolean, required: true, default: false },
    status: { type: String, enum: ['pending', 'accepted', 'revoked'], required: true },
    expiresAt: { type: Date, required: true },
    /** The hash of the live token (a resend replaces it). */
    tokenHash: { type: String, required: true },
    sentCount: { type: Number, required: true, default: 1 },
    invitedBy: { type: { type: String, required: true }, id: { type: String, default: null } },
    acceptedBy: { type: Schema.Types.ObjectId, default: null },
    acceptedAt: { type: Date, default: null },
    /** The acceptance run that accepted it: that run, re-run after a crash, still reads it as it was before. */
    acceptedRun: { type: runRefSchema, default: null },
    /** Created under an Idempotency-Key: the SHA-256 of the request it was created for (the `_id` derives from the key). */
    requestHash: { type: String, default: null },
  },
  { timestamps: true, collection: 'invitations' },
);
invitationSchema.index({ tenantId: 1, createdAt: 1 });

/** A live token: `_id` is its SHA-256 (hex). */
export const invitationTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    invitationId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'invitation_tokens' },
);

/**
 * A browser on its way through SSO to accept an invitation: `_id` is the
 * SHA-256 of a one-time handle carried in SAML's RelayState (or OIDC's login
 * state), so the ACS knows which invitation the sign-in accepts; `browser` is
 * the SHA-256 of the starting browser's cookie value (http/inviteBrowser.ts).
 * Short-lived.
 */
export const invitationHandoffSchema = new Schema(
  {
    _id: { type: String, required: true },
    invitationId: { type: String, required: true },
    browser: { type: String, default: null },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'invitation_handoffs' },
);

/**
 * The one open invitation of an address in a tenant: `_id` is the SHA-256 of
 * tenant and normalized email, `invitationId` the invitation that holds it.
 * Two admins inviting the same address at once both insert here; one wins
 * (the unique `_id`), the other is told the invitation exists. A revoked,
 * accepted or expired holder gives the slot up to the next invitation by a
 * conditional update on `invitationId`.
 */
export const invitationSlotSchema = new Schema(
  {
    _id: { type: String, required: true },
    invitationId: { type: String, required: true },
  },
  { timestamps: true, collection: 'invitation_slots' },
);

export type InvitationDoc = InferSchemaType<typeof invitationSchema> & { _id: string; createdAt: Date; updatedAt: Date };
export const invitationModel = (conn: Connection) => conn.model('Invitation', invitationSchema);
export const invitationTokenModel = (conn: Connection) => conn.model('InvitationToken', invitationTokenSchema);
export const invitationSlotModel = (conn: Connection) => conn.model('InvitationSlot', invitationSlotSchema);
export const invitationHandoffModel = (conn: Connection) => conn.model('InvitationHandoff', invitationHandoffSchema);
