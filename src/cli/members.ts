import { UsageError, type AdminCall, type CliArgs } from './adminClient';

/**
 * `onramp members suspend|reactivate|remove <user-id>` and
 * `onramp members remove-group <group>`: the member lifecycle,
 * each a durable run on the server.
 */
export async function membersCommand(call: AdminCall, { command, args, out }: CliArgs): Promise<number> {
  const [target] = args;
  if (!target) throw new UsageError(`onramp members ${command ?? '<command>'} <${command === 'remove-group' ? 'group' : 'user-id'}> --tenant <slug>`);
  const id = encodeURIComponent(target);
  switch (command) {
    case 'suspend':
    case 'reactivate': {
      const res = await call<{ status: string; changed: boolean }>('POST', `/members/${id}/${command}`);
      if (!res) return 1;
      out(`${target}\t${res.status}${res.changed ? '' : '\t(unchanged)'}`);
      return 0;
    }
    case 'remove':
      if (!(await call('DELETE', `/members/${id}`))) return 1;
      out(`${target}\tremoved`);
      return 0;
    case 'remove-group':
      if (!(await call('DELETE', `/groups/${id}`))) return 1;
      out(`group ${target}\tremoved`);
      return 0;
    default:
      throw new UsageError(`unknown command: members ${command ?? ''}`);
  }
}
