import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newIdp, postAcs, startHarness, user, type Harness, type SamlConnectionInfo } from '../support/harness';

describe('assertion one-time use across app instances', () => {
  let a: Harness;
  let b: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('replay');

  beforeAll(async () => {
    a = await startHarness();
    // A second app instance: same database and task queue, its own process state.
    // Instances behind one load balancer share the public URL.
    b = await startHarness({
      worker: false,
      database: a.config.mongo.database,
      taskQueue: a.config.temporal.taskQueue,
      publicUrl: a.config.http.publicUrl,
    });
    await a.createTenant('replay');
    // IdP-initiated responses carry no InResponseTo, so only the shared assertion store can stop a replay.
    conn = await a.createSamlConnection('replay', idp, { allowIdpInitiated: true });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a response used at instance A is refused at instance B', async () => {
    const r = await idp.respond(conn.metadataXml, null, user('ivy', 'replay.test'));
    const first = await postAcs(r.acsUrl, r.SAMLResponse);
    expect(first.status).toBe(303);
    const replayAtB = await postAcs(r.acsUrl.replace(a.url, b.url), r.SAMLResponse);
    expect(replayAtB.status).toBe(401);
    expect(replayAtB.body).toContain('saml_replayed');
    const { models } = a.services.db;
    expect(await models.users.countDocuments()).toBe(1);
    expect(await models.auditEvents.countDocuments({ action: 'signin.rejected', reason: 'saml_replayed' })).toBe(1);
  });
});
