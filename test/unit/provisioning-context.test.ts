import { describe, expect, it } from 'vitest';
import { actorOf, signInContext } from '../../src/domain/provisioningContext';

describe('provisioning context', () => {
  const run = { workflowId: 'w', runId: 'r' };
  it('a sign-in is the IdP connection acting for the tenant', () => {
    expect(signInContext({ tenantId: 't1', connectionId: 'c1' }, run)).toEqual({
      run,
      tenantId: 't1',
      connectionId: 'c1',
      source: 'signin',
      actor: { type: 'idp', id: 'c1' },
    });
  });
  it("the actor is the context's; tasks of runs from before contexts name their connection", () => {
    expect(actorOf({ actor: { type: 'directory', id: 'd1' }, connectionId: 'c1' })).toEqual({ type: 'directory', id: 'd1' });
    expect(actorOf({ connectionId: 'c1' })).toEqual({ type: 'idp', id: 'c1' });
    expect(actorOf({ claim: { connectionId: 'c2' } })).toEqual({ type: 'idp', id: 'c2' });
    expect(actorOf({})).toEqual({ type: 'idp', id: null });
  });
});
