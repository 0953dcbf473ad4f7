/**
 * Production entry point: ONRAMP_ROLE=web | worker | all against an existing
 * MongoDB (MONGODB_URI) and Temporal cluster (TEMPORAL_ADDRESS).
 */
import { serveRole } from './serveRole';

await serveRole();
