import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new signing secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * The Standard Webhooks headers of one send: `webhook-id` is the event's ID
 * (the same on every attempt, so a receiver can drop repeats),
 * `webhook-timestamp` the send time in seconds, and `webhook-signature` one
 * `v1,<base64>` per live secret, space-separated (both during a rotation).
 */
export function signatureHeaders(secrets: readonly string[], msgId: string, at: Date, body: string): Record<string, string> {
  if (secrets.length === 0) throw new Error('an endpoint without a live secret cannot sign');
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1_000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(msgId, at, body)).join(' '),
  };
}
