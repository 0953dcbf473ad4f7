import { Schema } from 'mongoose';

/** The workflow run that wrote a document; lets a retried activity recognize its own earlier write. */
export const runRefSchema = new Schema({ workflowId: { type: String, required: true }, runId: { type: String, required: true } }, { _id: false });
