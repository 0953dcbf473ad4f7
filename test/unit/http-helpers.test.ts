import { describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { OnrampError } from '../../src/errors';
import type { Request } from 'express';
import { inviteBrowserOf } from '../../src/http/inviteBrowser';
import { escapeHtml, errorPage } from '../../src/http/pages';
import { decodeCursor, encodeCursor } from '../../src/library/pagination';
import { signInWorkflowId } from '../../src/temporal/signInClient';

describe('escapeHtml', () => {
  it('escapes markup in every interpolated value', () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(errorPage('t', '<img src=x onerror=alert(1)>', 'c')).not.toContain('<img');
  });
});

describe('cursors', () => {
  it('round-trip an id and reject garbage with a 400 naming the field', () => {
    const id = new Types.ObjectId();
    expect(String(decodeCursor(encodeCursor(id)))).toBe(id.toHexString());
    expect(decodeCursor(encodeCursor('t1:u1'))).toBe('t1:u1');
    expect(decodeCursor(undefined)).toBeNull();
    expect(() => decodeCursor('garbage')).toThrow(OnrampError);
    expect(() => decodeCursor('garbage')).toThrow(/^cursor/);
  });
});

describe('signInWorkflowId', () => {
  it('is deterministic per identity and distinct across identities and connections', () => {
    expect(signInWorkflowId('c1', 'sarah')).toBe(signInWorkflowId('c1', 'sarah'));
    expect(signInWorkflowId('c1', 'sarah')).not.toBe(signInWorkflowId('c1', 'peter'));
    expect(signInWorkflowId('c1', 'sarah')).not.toBe(signInWorkflowId('c2', 'sarah'));
    expect(signInWorkflowId('c1', 'x'.repeat(256)).length).toBeLessThan(80);
  });
});

describe("the invitation's browser cookie", () => {
  const req = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as unknown as Request;
  const value = 'a'.repeat(43);
  it('is read from among other cookies; a missing or malformed one is none', () => {
    expect(inviteBrowserOf(req(`onramp.sid=s%3Axyz; onramp.invite=${value}; other=1`))).toBe(value);
    expect(inviteBrowserOf(req(`onramp.invite=${value}`))).toBe(value);
    expect(inviteBrowserOf(req())).toBeNull();
    expect(inviteBrowserOf(req('onramp.sid=abc'))).toBeNull();
    expect(inviteBrowserOf(req('onramp.invite=short'))).toBeNull();
    expect(inviteBrowserOf(req(`xonramp.invite=${value}`))).toBeNull();
    expect(inviteBrowserOf(req(`onramp.invite=${value};`))).toBe(value);
  });
});
