import { z } from 'zod';

/** The query parameters of every list endpoint (cursors: library/pagination.ts, base64url). */
export const paginationQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .max(1024)
    .regex(/^[A-Za-z0-9_-]*$/, 'is not a valid cursor')
    .optional(),
};
