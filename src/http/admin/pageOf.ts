import { z } from 'zod';

/** A page of a list: its items and the cursor of the next page (null on the last). */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });
