import { z } from 'zod';

/** The query parameters of every list endpoint (cursors: library/pagination.ts). */
export const paginationQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1024).optional(),
};
