import { describe, expect, it } from 'vitest';
import { isInfrastructureError, OnrampError, serviceUnavailable } from '../../src/errors';

const named = (name: string, message: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(message), { name }, extra);

describe('isInfrastructureError', () => {
  it('recognises the database, the network and Temporal failing', () => {
    expect(isInfrastructureError(named('MongoNetworkError', 'connection 3 to 127.0.0.1:27017 closed'))).toBe(true);
    expect(isInfrastructureError(named('MongoServerError', 'database is locked (SQLITE_BUSY)'))).toBe(true);
    expect(isInfrastructureError(named('MongoServerError', 'write failed', { errorLabels: ['RetryableWriteError'] }))).toBe(true);
    expect(isInfrastructureError(named('Error', 'connect ECONNREFUSED 127.0.0.1:7233', { code: 'ECONNREFUSED', syscall: 'connect' }))).toBe(true);
    expect(isInfrastructureError(named('ServiceError', 'unavailable', { code: 14 }))).toBe(true);
    expect(isInfrastructureError(serviceUnavailable(null))).toBe(true);
    // Wrapped, as Temporal and mongoose wrap.
    expect(isInfrastructureError(new Error('activity failed', { cause: named('MongoServerSelectionError', 'timed out') }))).toBe(true);
  });

  it('does not let attacker-chosen text or shapes pass for an outage', () => {
    // A SAML response's text, reported by node-saml as a plain Error.
    expect(isInfrastructureError(new Error('Invalid signature: &SQLITE_BUSY; database is locked'))).toBe(false);
    expect(isInfrastructureError(named('TypeError', 'connection pool for x was cleared'))).toBe(false);
    // An OIDC provider's JSON error body in the cause chain is a plain object, not an Error.
    expect(isInfrastructureError(new Error('bad response', { cause: { code: 'ECONNRESET', name: 'MongoNetworkError', errorLabels: ['ResetPool'] } }))).toBe(
      false,
    );
    expect(isInfrastructureError({ name: 'MongoNetworkError', message: 'x' })).toBe(false);
    expect(isInfrastructureError('database is locked')).toBe(false);
    // Errors labelled retryable by something other than the database driver.
    expect(isInfrastructureError(named('RPError', 'nope', { errorLabels: ['RetryableWriteError'] }))).toBe(false);
  });

  it('counts only 503 OnrampErrors as infrastructure', () => {
    expect(isInfrastructureError(new OnrampError('saml_invalid', 'no', { status: 401 }))).toBe(false);
    expect(isInfrastructureError(new OnrampError('db_reply_mismatch', 'x', { status: 503 }))).toBe(true);
  });
});
