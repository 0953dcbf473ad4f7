import { z } from 'zod';
import { EVENT_ID_PATTERN } from '../domain/events';
import { CURSOR_MAX, decodeCursor, NOT_A_CURSOR, type CursorKind, type DocId } from '../library/pagination';
import { fieldRefusals } from './validate';

/** Mark a field as a cursor: any refusal of it is `invalid_cursor` (400). */
function asCursor<S extends z.ZodType>(schema: S): S {
  fieldRefusals.add(schema, { code: 'invalid_cursor', message: NOT_A_CURSOR });
  return schema;
}

/**
 * A page cursor of a list of this kind, decoded by its schema before any
 * query: the handler gets the last row's `_id` (or null for the first page),
 * never the caller's text. Anything else — another list's cursor, junk, an
 * object, an array, a repeated parameter — is a 400 `invalid_cursor`.
 */
export const cursorParam = (kind: CursorKind) =>
  asCursor(
    z
      .string()
      .max(CURSOR_MAX)
      .regex(/^[A-Za-z0-9_-]+$/)
      .optional()
      .transform((cursor, ctx): DocId | null => {
        if (cursor === undefined) return null;
        const id = decodeCursor(kind, cursor);
        if (id === null) ctx.addIssue({ code: 'custom', message: NOT_A_CURSOR });
        return id;
      })
      .meta({ description: 'The nextCursor of the previous page; leave out for the first page.' }),
  );

const eventId = () => z.string().regex(EVENT_ID_PATTERN).meta({ description: 'An event ID (evt_…): the events after it.' });
/** An event-ID cursor (webhook replays): the events after this ID. */
export const eventCursor = asCursor(eventId());
/** The events API's optional event-ID cursor. */
export const optionalEventCursor = asCursor(eventId().optional());

/** The query parameters of every paged list whose rows are sorted by `_id`. */
export const pageQuery = (kind: CursorKind) => ({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursorParam(kind),
});
