import { describe, expect, it } from 'vitest';
import { layout, pager, select } from '../../src/http/console/layout';

describe('console layout', () => {
  const tenant = { slug: 'acme', name: 'Acme <b>' };

  it('has one navigation of the tenant, marks the current section, and escapes what it shows', () => {
    const html = layout({ title: 'Members', who: 'ann@acme.test', csrf: 'tok"en', body: '<p>x</p>', tenant, current: 'members', flash: '!<no>' });
    expect(html).toContain('<nav aria-label="Console sections">');
    for (const path of ['members', 'approvals', 'invitations', 'audit']) expect(html).toContain(`href="/console/t/acme/${path}"`);
    expect(html.match(/aria-current="page"/g)).toHaveLength(1);
    expect(html).toContain('href="/console/t/acme/members" aria-current="page"');
    expect(html).toContain('Acme &lt;b&gt;');
    expect(html).toContain('value="tok&quot;en"');
    expect(html).toContain('<p class="flash error" role="status">&lt;no&gt;</p>');
    expect(html).toContain('<h1>Members</h1>');
  });

  it('links the groups and imports sections, and reloads itself only when asked (a running import)', () => {
    const html = layout({ title: 'Import', who: null, csrf: 't', body: '', tenant, current: 'imports', refreshSeconds: 2 });
    for (const path of ['groups', 'imports']) expect(html).toContain(`href="/console/t/acme/${path}"`);
    expect(html).toContain('<meta http-equiv="refresh" content="2">');
    expect(layout({ title: 'Imports', who: null, csrf: 't', body: '', tenant, current: 'imports' })).not.toContain('http-equiv="refresh"');
  });

  it('has no tenant navigation outside a tenant', () => {
    expect(layout({ title: 'Admin console', who: null, csrf: 't', body: '' })).not.toContain('<nav');
  });

  it('a next-page link keeps the filters that are set, and is absent on the last page', () => {
    expect(pager('/console/t/acme/members', { q: 'ca&rol', status: undefined, role: '' }, 'abc')).toBe(
      '<p><a rel="next" href="/console/t/acme/members?q=ca%26rol&amp;cursor=abc">Next page</a></p>',
    );
    expect(pager('/console/t/acme/members', { q: 'x' }, null)).toBe('');
  });

  it('a select marks the chosen option', () => {
    const html = select(
      'status',
      'Status',
      [
        ['', 'any'],
        ['active', 'active'],
      ],
      'active',
    );
    expect(html).toContain('<option value="active" selected>');
    expect(html).toContain('<option value="">any</option>');
  });
});
