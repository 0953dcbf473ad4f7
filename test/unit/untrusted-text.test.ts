import { describe, expect, it } from 'vitest';
import { refusalMessage } from '../../src/domain/refusals';
import { catalogueMessage, ERROR_CODES } from '../../src/errorCodes';
import { EVENT_VERSION, eventForReceivers, eventPayloadForReceivers, type DomainEvent } from '../../src/domain/events';
import { samlValidationRejection } from '../../src/http/saml/rejections';
import { oauthErrorMessage, providerAnswerRefused } from '../../src/http/oidc/providerErrors';

const expect_ = { signatures: 'either' as const, certificates: [], spEntityId: 'https://sp.test/sp' };

describe("refusal messages are the product's own words", () => {
  it('every sign-in refusal code has its own message; other codes a generic one naming the code', () => {
    for (const code of Object.keys(ERROR_CODES).filter((c) => /^(saml_(?!metadata_)|oidc_|email_code_)/.test(c)))
      expect(catalogueMessage(code), code).not.toContain(code);
    expect(catalogueMessage('last_owner')).toBe(refusalMessage('last_owner'));
    expect(catalogueMessage('tenant_exists')).toBe('The request was refused (tenant_exists).');
    expect(catalogueMessage('saml_weak_algorithm')).toContain('SHA-1');
    expect(catalogueMessage('nope')).toBe('The request was refused (nope).');
  });

  it("an XML parser's diagnostic becomes saml_malformed, other node-saml text saml_invalid, neither repeated", () => {
    const parser = samlValidationRejection(new Error('[xmldom error]\tentity not found:&zorgEvilEntity;\n@#[line:1,col:44]'), '', expect_);
    expect(parser).toMatchObject({ code: 'saml_malformed', message: catalogueMessage('saml_malformed') });
    const other = samlValidationRejection(new Error('Unexpected zorgPayload in the response'), '', expect_);
    expect(other).toMatchObject({ code: 'saml_invalid', message: catalogueMessage('saml_invalid') });
    expect(samlValidationRejection(new Error('SAML assertion expired: clocks skewed zorgPayload'), '', expect_).message).not.toContain('zorg');
  });

  it("an OIDC provider's error parameter is named only when it is a standard code", () => {
    expect(oauthErrorMessage('access_denied')).toContain('(access_denied)');
    expect(oauthErrorMessage('<script>zorgPayload</script>')).not.toContain('zorg');
  });

  it("openid-client's refusals are named by their codes, never their messages", () => {
    const inner = Object.assign(new Error('unexpected "iss" claim value zorgPayload'), { code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' });
    const refused = providerAnswerRefused(new Error('outer zorgPayload', { cause: inner }));
    expect(refused.code).toBe('oidc_invalid');
    expect(refused.message).toContain('OAUTH_JWT_CLAIM_COMPARISON_FAILED');
    expect(refused.message).not.toContain('zorg');
  });
});

describe('events as receivers get them', () => {
  const event: DomainEvent = {
    id: 'evt_0000000000001_0000000000',
    type: 'signin.denied',
    version: EVENT_VERSION,
    occurredAt: new Date(0).toISOString(),
    tenantId: 't',
    actor: { type: 'signin', id: 'c', runId: null },
    subject: { type: 'saml_connection', id: 'c' },
    userId: null,
    data: { action: 'signin.rejected', message: 'm', ip: '203.0.113.9', reason: 'saml_invalid' },
    before: null,
    after: null,
  };

  it("leave out the end user's IP unless the operator opted in", () => {
    expect(eventForReceivers(event, { includeIp: false }).data).toEqual({ action: 'signin.rejected', message: 'm', reason: 'saml_invalid' });
    expect(eventForReceivers(event, { includeIp: true })).toBe(event);
    expect(JSON.parse(eventPayloadForReceivers(JSON.stringify(event), { includeIp: false })).data).not.toHaveProperty('ip');
    const withoutIp = JSON.stringify({ ...event, data: { reason: 'x' } });
    expect(eventPayloadForReceivers(withoutIp, { includeIp: false })).toBe(withoutIp);
  });
});
