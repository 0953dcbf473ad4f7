import { describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Request } from 'express';
import { pageQuery } from '../../src/http/pagination';
import { parseInput } from '../../src/http/validate';
import { inviteBrowserOf } from '../../src/http/inviteBrowser';
import { escapeHtml, errorPage } from '../../src/http/pages';
import { decodeCursor, encodeCursor } from '../../src/library/pagination';
import { signInWorkflowId } from '../../src/runs/signInClient';

describe('escapeHtml', () => {
  it('escapes markup in every interpolated value', () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(errorPage('t', '<img src=x onerror=alert(1)>', 'c')).not.toContain('<img');
  });
});

describe('cursors', () => {
  it('round-trip an id of their kind and decode nothing else', () => {
    const id = new Types.ObjectId();
    expect(String(decodeCursor('objectId', encodeCursor(id)))).toBe(id.toHexString());
    expect(decodeCursor('key', encodeCursor('t1:u1'))).toBe('t1:u1');
    // Another kind's cursor, a tampered value, junk: nothing.
    expect(decodeCursor('key', encodeCursor(id))).toBeNull();
    expect(decodeCursor('objectId', encodeCursor('t1:u1'))).toBeNull();
    expect(decodeCursor('objectId', encodeCursor('{"$ne":null}'))).toBeNull();
    expect(decodeCursor('key', encodeCursor('a\u0000b'))).toBeNull();
    expect(decodeCursor('key', encodeCursor('x'.repeat(601)))).toBeNull();
    for (const junk of ['', 'garbage', 'o:', 's:abc', '%%%', 'a'.repeat(2000)]) expect(decodeCursor('key', junk), junk).toBeNull();
  });

  it('are refused by a list schema with invalid_cursor, before any query', () => {
    const query = z.object(pageQuery('objectId'));
    expect(parseInput(query, {}, 'query')).toEqual({ limit: 50, cursor: null });
    for (const cursor of ['bogus', '', ['a', 'b'], { $ne: null }, encodeCursor('abc')]) {
      expect(() => parseInput(query, { cursor }, 'query')).toThrow(
        expect.objectContaining({ code: 'invalid_cursor', status: 400, message: expect.stringMatching(/^cursor: /) }) as Error,
      );
    }
    expect(() => parseInput(query, { limit: '0' }, 'query')).toThrow(expect.objectContaining({ code: 'validation_failed' }) as Error);
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

describe('parseInput refuses NUL characters anywhere in the input', () => {
  const body = z.object({ description: z.string(), tags: z.array(z.string()).default([]), extra: z.record(z.string(), z.string()).default({}) });

  it('in a field, an array item or a key: 400 naming where; other text passes', () => {
    const refused = (input: unknown) => {
      try {
        parseInput(body, input, 'body');
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
      return null;
    };
    expect(refused({ description: 'a\u0000b' })).toBe('description: may not contain NUL characters');
    expect(refused({ description: 'ok', tags: ['x', 'y\u0000'] })).toBe('tags.1: may not contain NUL characters');
    expect(refused({ description: 'ok', extra: { 'k\u0000': 'v' } })).toBe('extra.k: may not contain NUL characters');
    expect(refused({ description: '\t\ud9f9\udc07F^\u00a5\u0005 and other control text' })).toBeNull();
  });
});
