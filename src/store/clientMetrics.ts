import type { CommandFailedEvent, MongoClient } from 'mongodb';
import { isDuplicateKeyError, isInfrastructureError } from '../errors';
import { countDbError } from '../metrics/registry';

/**
 * Count the database client's errors (`onramp_db_errors_total`): failed
 * commands (a duplicate key is an answer idempotent inserts expect, not an
 * error), failed heartbeats and failed connection check-outs.
 */
export function countClientErrors(client: MongoClient): void {
  client.on('commandFailed', (event: CommandFailedEvent) => {
    if (isDuplicateKeyError(event.failure)) return;
    countDbError(isInfrastructureError(event.failure) ? 'unavailable' : 'command');
  });
  client.on('serverHeartbeatFailed', () => countDbError('heartbeat'));
  client.on('connectionCheckOutFailed', () => countDbError('checkout'));
}
