import { Router } from 'express';
import { z } from 'zod';
import { unauthorized } from '../errors';
import type { createMemberLibrary } from '../library/members';
import { escapeHtml, page } from './pages';

const meOut = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }),
  memberships: z.array(
    z.object({ tenantId: z.string(), tenantSlug: z.string().nullable(), roles: z.array(z.string()), groups: z.array(z.string()), status: z.string() }),
  ),
});

/** `GET /api/me` for the embedding app, and a small landing page for people. */
export function meRouter(members: ReturnType<typeof createMemberLibrary>): Router {
  const r = Router();
  r.get('/api/me', async (req, res) => {
    const userId = req.session.userId;
    const me = userId ? await members.me(userId) : null;
    if (!me) throw unauthorized('not signed in');
    res.json(meOut.parse(me));
  });
  r.get('/', async (req, res) => {
    const userId = req.session.userId;
    const me = userId ? await members.me(userId) : null;
    if (!me) {
      res.type('html').send(page('onramp', "<p>You are not signed in. Sign in through your organization's identity provider.</p>"));
      return;
    }
    const rows = me.memberships
      .map(
        (m) =>
          `<li><strong>${escapeHtml(m.tenantSlug ?? m.tenantId)}</strong>: ${escapeHtml(m.roles.join(', '))}${m.groups.length ? ` — groups: ${escapeHtml(m.groups.join(', '))}` : ''} (${escapeHtml(m.status)})</li>`,
      )
      .join('');
    res
      .type('html')
      .send(
        page(
          'Signed in',
          `<p>Signed in as <strong>${escapeHtml(me.user.name ?? me.user.email ?? me.user.id)}</strong>${me.user.email ? ` (${escapeHtml(me.user.email)})` : ''}.</p><h2>Memberships</h2><ul>${rows}</ul>`,
        ),
      );
  });
  return r;
}
