import { UsageError, type AdminCall, type CliArgs } from './adminClient';

interface Invitation {
  id: string;
  email: string;
  roles: string[];
  groups: string[];
  status: string;
  expiresAt: string;
}

const describe = (i: Invitation) =>
  `${i.id}\t${i.email}\t${i.status}\troles ${i.roles.join(',') || '-'}\tgroups ${i.groups.join(',') || '-'}\texpires ${i.expiresAt}`;
const list = (value: string | undefined) =>
  value
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : [];

/** `onramp invitations create|list|resend|revoke`. The accept URL is printed when it is made (it is also mailed). */
export async function invitationsCommand(call: AdminCall, { command, args, values, out }: CliArgs): Promise<number> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const id = () => {
    const [first] = args;
    if (!first) throw new UsageError(`onramp invitations ${command ?? ''} <invitation-id> --tenant <slug>`);
    return encodeURIComponent(first);
  };
  switch (command) {
    case 'create': {
      const email = str('email');
      if (!email) throw new UsageError('onramp invitations create --tenant <slug> --email <address> [--roles a,b] [--groups a,b] [--allow-any-email]');
      const res = await call<{ invitation: Invitation; acceptUrl: string }>('POST', '/invitations', {
        email,
        roles: list(str('roles')),
        groups: list(str('groups')),
        allowAnyEmail: values['allow-any-email'] === true,
      });
      if (!res) return 1;
      out(describe(res.invitation));
      out(`accept URL (mailed to ${res.invitation.email}; shown once): ${res.acceptUrl}`);
      return 0;
    }
    case 'list': {
      const status = str('status');
      const res = await call<{ data: Invitation[] }>('GET', `/invitations${status ? `?status=${encodeURIComponent(status)}` : ''}`);
      if (!res) return 1;
      if (res.data.length === 0) out('no invitations');
      for (const i of res.data) out(describe(i));
      return 0;
    }
    case 'resend': {
      const res = await call<{ invitation: Invitation; acceptUrl: string }>('POST', `/invitations/${id()}/resend`);
      if (!res) return 1;
      out(describe(res.invitation));
      out(`new accept URL (the old link no longer works): ${res.acceptUrl}`);
      return 0;
    }
    case 'revoke': {
      const res = await call<Invitation>('DELETE', `/invitations/${id()}`);
      if (!res) return 1;
      out(describe(res));
      return 0;
    }
    default:
      throw new UsageError(`unknown command: invitations ${command ?? ''}`);
  }
}
