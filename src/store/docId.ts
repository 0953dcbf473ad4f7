import type { Types } from 'mongoose';

/** A document `_id` a page can end on: an ObjectId or a string key. */
export type DocId = Types.ObjectId | string;
