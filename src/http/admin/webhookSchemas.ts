import { z } from 'zod';
import { EVENT_ID_PATTERN } from '../../domain/events';
import { eventCursor, optionalEventCursor } from '../pagination';

export const endpointId = z.string().regex(/^whe_[0-9a-f]{24}$/, 'must be a webhook endpoint ID');
export const eventId = z.string().regex(EVENT_ID_PATTERN, 'must be an event ID (evt_…)');
const eventType = z.string().regex(/^[a-z_]+\.(\*|[a-z_]+)$/, 'must be an event type (e.g. user.created, group.*)');

export const createEndpointBody = z.strictObject({
  url: z.string().min(8).max(2_048),
  description: z.string().max(500).optional(),
  /** Event types or families (`group.*`); empty or absent = every type. */
  types: z.array(eventType).max(50).optional(),
  enabled: z.boolean().optional(),
});
export const updateEndpointBody = createEndpointBody.partial();
export const rotateSecretBody = z.strictObject({
  /** How long the current secrets keep signing beside the new one (0: stop at once). */
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(86_400),
});
export const resendBody = z.strictObject({ eventId });
export const replayBody = z.strictObject({ after: eventCursor });

export const endpointOut = z.object({
  id: z.string(),
  tenantId: z.string().nullable(),
  url: z.string(),
  description: z.string(),
  types: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  secrets: z.array(z.object({ id: z.string(), createdAt: z.date(), expiresAt: z.date().nullable() })),
  cursor: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
/** The only answers that carry a secret in clear: creation and rotation. */
export const endpointWithSecretOut = z.object({ endpoint: endpointOut, secret: z.string() });
export const attemptOut = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  round: z.string(),
  attempt: z.number(),
  sends: z.number(),
  outcome: z.enum(['delivered', 'failed', 'refused']),
  status: z.number().nullable(),
  error: z.string().nullable(),
  latencyMs: z.number().nullable(),
  response: z.string(),
  at: z.date(),
});
export const attemptsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  eventId: eventId.optional(),
});
export const requestOut = z.object({ requestId: z.string() });

export const eventOut = z.object({
  id: z.string(),
  type: z.string(),
  version: z.literal(1),
  occurredAt: z.string(),
  tenantId: z.string().nullable(),
  actor: z.object({
    type: z.enum(['signin', 'directory', 'admin', 'import', 'invitation', 'system']),
    id: z.string().nullable(),
    runId: z.string().nullable(),
  }),
  subject: z.object({ type: z.string(), id: z.string().nullable() }),
  userId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  before: z.unknown(),
  after: z.unknown(),
});
export const eventsQuery = z.strictObject({
  after: optionalEventCursor,
  /** Comma-separated event types. */
  types: z
    .string()
    .max(2_000)
    .regex(/^[a-z_.,*]*$/, 'must be comma-separated event types')
    .optional()
    .transform((t) =>
      t
        ? t
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : undefined,
    ),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const eventPageOut = z.object({ data: z.array(eventOut), nextCursor: z.string().nullable(), hasMore: z.boolean() });
