import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { catalogueMessage } from '../../src/errorCodes';
import { newIdp, postAcs, user, useSamlTenant, type Harness, type SamlConnectionInfo, type SignInResult } from '../support/harness';
import { startReceiver, type Receiver } from '../support/webhookReceiver';

interface EventRow {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** Short webhook poll, events answered at once. */
const FAST = {
  ONRAMP_WEBHOOK_RETRY_SCHEDULE: '0,0.3',
  ONRAMP_WEBHOOK_POLL_MS: '300',
  ONRAMP_EVENTS_SETTLE_MS: '0',
  ONRAMP_WEBHOOK_SETTLE_MS: '0',
  ONRAMP_WEBHOOK_TIMEOUT_MS: '3000',
};

/** Names only the attacker chose: none may reach an answer, an audit, the events API or a webhook. */
const MARKERS = ['zorgEvilEntity', 'zorgUndeclaredEntity', 'zorgBrokenTag', 'zorgPayload'];
/** Words of an XML parser's or node-saml's diagnostics (the product's own messages use none of them). */
const PARSER_WORDS =
  /xmldom|\[xmldom|entity not found|line:\s*\d|col:\s*\d|@#\[line|unclosed|Invalid (document )?signature|non-whitespace|TypeError|at [\w.]+ \(/i;

/** A real, signed response from the IdP library, as XML. */
async function signedResponseXml(idp: ReturnType<typeof newIdp>, conn: SamlConnectionInfo, local: string): Promise<{ acsUrl: string; xml: string }> {
  const login = await fetch(conn.loginUrl, { redirect: 'manual' });
  const r = await idp.respond(conn.metadataXml, login.headers.get('location'), user(local, 'untrusted.test'));
  return { acsUrl: r.acsUrl, xml: Buffer.from(r.SAMLResponse, 'base64').toString('utf8') };
}
const b64 = (xml: string) => Buffer.from(xml).toString('base64');

async function webhookTo(h: Harness, slug: string): Promise<Receiver> {
  const receiver = await startReceiver([]);
  const created = await h.admin('POST', `/tenants/${slug}/webhooks`, { url: receiver.url, types: ['signin.*'] });
  expect(created.status).toBe(201);
  receiver.state.secrets.push((created.body as unknown as { secret: string }).secret);
  return receiver;
}

async function eventsOf(h: Harness, slug: string): Promise<EventRow[]> {
  const page = await h.admin('GET', `/tenants/${slug}/events?limit=100`);
  expect(page.status).toBe(200);
  return (page.body as unknown as { data: EventRow[] }).data;
}

describe('untrusted text: what an ACS refusal tells the caller, the audit log, the events API and a webhook', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  let receiver: Receiver;
  const idp = newIdp('untrusted');

  useSamlTenant('untrusted', idp, (t) => ({ h, conn } = t), { harness: { env: FAST } });
  beforeAll(async () => {
    receiver = await webhookTo(h, 'untrusted');
  });
  afterAll(async () => receiver?.close());

  /** A clear 4xx page with the reason code, no parser text; exactly one more denial audit; nobody created. */
  async function refused(res: SignInResult, status: number, code: string): Promise<void> {
    expect(res.status).toBe(status);
    expect(res.body).toContain('Sign-in refused');
    expect(res.body).toContain(`<code>${code}</code>`);
    for (const m of MARKERS) expect(res.body).not.toContain(m);
    expect(res.body).not.toMatch(PARSER_WORDS);
    const { models } = h.services.db;
    expect(await models.users.countDocuments()).toBe(0);
    expect(await models.identities.countDocuments()).toBe(0);
    const audit = await models.auditEvents.findOne({ action: 'signin.rejected', reason: code }).sort({ at: -1 }).lean();
    expect(audit?.target).toMatchObject({ type: 'saml_connection', id: conn.id });
    expect(audit?.context).toMatchObject({ message: catalogueMessage(code) });
  }

  it('malformed XML, a DOCTYPE with entities and a 5 MB body: 4xx with a reason code; events and webhooks carry only the code and the product message', async () => {
    // 1. Malformed: a real signed response cut in the middle of an element, with a broken tag.
    const a = await signedResponseXml(idp, conn, 'mal');
    const cut = a.xml.indexOf('<saml:Subject');
    await refused(await postAcs(a.acsUrl, b64(`${a.xml.slice(0, cut)}<zorgBrokenTag zorgPayload="unterminated>${a.xml.slice(cut)}`)), 401, 'saml_malformed');

    // 2. A DOCTYPE declaring an entity the attacker named, referenced in the signed content, and an undeclared one.
    const b = await signedResponseXml(idp, conn, 'ent');
    const doctype = '<!DOCTYPE samlp:Response [<!ENTITY zorgEvilEntity "zorgPayload">]>';
    const withEntities = b.xml
      .replace(/^(<\?xml[^>]*\?>)?/, (decl) => `${decl}${doctype}`)
      .replace('ent@untrusted.test</saml:AttributeValue>', '&zorgEvilEntity;&zorgUndeclaredEntity;</saml:AttributeValue>');
    expect(withEntities).toContain('&zorgEvilEntity;');
    await refused(await postAcs(b.acsUrl, b64(withEntities)), 401, 'saml_malformed');

    // 3. Five megabytes: refused by the body limit, before anything reads it.
    const huge = await postAcs(conn.acsUrl, 'A'.repeat(5 * 1024 * 1024));
    await refused(huge, 413, 'body_too_large');

    // The events API: one signin.denied per refusal, reason code and the catalogue's message, nothing of the input.
    const events = (await eventsOf(h, 'untrusted')).filter((e) => e.type === 'signin.denied');
    expect(events.map((e) => [e.data.reason, e.data.message])).toEqual([
      ['saml_malformed', catalogueMessage('saml_malformed')],
      ['saml_malformed', catalogueMessage('saml_malformed')],
      ['body_too_large', catalogueMessage('body_too_large')],
    ]);
    const listed = JSON.stringify(events);
    for (const m of MARKERS) expect(listed).not.toContain(m);
    expect(listed).not.toMatch(PARSER_WORDS);
    // The end user's IP stays in the audit log; events leave it out by default.
    for (const e of events) expect(e.data).not.toHaveProperty('ip');
    expect((await h.services.db.models.auditEvents.findOne({ action: 'signin.rejected' }).lean())?.context).toHaveProperty('ip');

    // The webhook receiver gets the same three, verified, with the same words.
    await receiver.waitFor((r) => r.filter((x) => x.type === 'signin.denied' && x.status === 200).length >= 3);
    const delivered = receiver.delivered().filter((x) => x.type === 'signin.denied');
    expect(delivered.every((x) => x.verifiedBy.length > 0)).toBe(true);
    const bodies = delivered.map((x) => JSON.parse(x.body) as { data: EventRow });
    expect(bodies.map((x) => [x.data.id, x.data.data.reason, x.data.data.message])).toEqual(events.map((e) => [e.id, e.data.reason, e.data.message]));
    const sent = delivered.map((x) => x.body).join('\n');
    for (const m of MARKERS) expect(sent).not.toContain(m);
    expect(sent).not.toMatch(PARSER_WORDS);
    expect(sent).not.toContain('"ip"');
  });
});

describe('events carry the end user IP only when the operator opts in', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  let receiver: Receiver;
  const idp = newIdp('with-ip');

  useSamlTenant('withip', idp, (t) => ({ h, conn } = t), { harness: { env: { ...FAST, ONRAMP_EVENTS_INCLUDE_IP: 'true' } } });
  beforeAll(async () => {
    receiver = await webhookTo(h, 'withip');
  });
  afterAll(async () => receiver?.close());

  it('ONRAMP_EVENTS_INCLUDE_IP=true: the events API and the webhook carry the IP', async () => {
    const res = await postAcs(conn.acsUrl, b64('<not-saml/>'));
    expect(res.status).toBe(401);
    const events = (await eventsOf(h, 'withip')).filter((e) => e.type === 'signin.denied');
    expect(events).toHaveLength(1);
    expect(events[0]?.data.ip).toMatch(/127\.0\.0\.1|::1/);
    await receiver.waitFor((r) => r.some((x) => x.type === 'signin.denied' && x.status === 200));
    const body = JSON.parse(receiver.delivered().find((x) => x.type === 'signin.denied')?.body ?? '{}') as { data: EventRow };
    expect(body.data.data.ip).toBe(events[0]?.data.ip);
  });
});
