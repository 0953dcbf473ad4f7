import { describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { OnrampError } from '../../src/errors';
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
