import { readFile } from 'node:fs/promises';
import { UsageError, type AdminCall, type CliArgs } from './adminClient';

interface SamlConnection {
  id: string;
  name: string;
  idpEntityId: string;
  ssoUrl: string;
  ssoBinding: string;
  spEntityId: string;
  acsUrl: string;
  metadataUrl: string;
  certificates: Array<{ fingerprint256: string; validTo: string; expired: boolean; expiresSoon: boolean }>;
  metadata: { url: string | null; checkedAt: string; lastError: { code: string; message: string } | null } | null;
  metadataSigningCertificate: { fingerprint256: string; validTo: string; expired: boolean; expiresSoon: boolean } | null;
}

const USAGE = [
  'onramp connections list --tenant <slug>',
  'onramp connections saml-from-metadata --tenant <slug> --name <name> (--file <metadata.xml> | --metadata-url <url>) [--metadata-signing-certificate <cert.pem>]',
  'onramp connections saml-metadata <connection-id> --tenant <slug> (--file <metadata.xml> | --metadata-url <url>) [--metadata-signing-certificate <cert.pem>]',
  'onramp connections refresh-metadata|show <connection-id> --tenant <slug>',
].join('\n  ');

/** The metadata the command names: a file's XML, or a URL for the server to fetch (exactly one). */
async function sourceOf(values: CliArgs['values']): Promise<{ metadataXml: string } | { metadataUrl: string }> {
  const file = typeof values.file === 'string' ? values.file : undefined;
  const url = typeof values['metadata-url'] === 'string' ? values['metadata-url'] : undefined;
  if ((file === undefined) === (url === undefined)) throw new UsageError('give --file <metadata.xml> or --metadata-url <url> (one of them)');
  return file !== undefined ? { metadataXml: await readFile(file, 'utf8') } : { metadataUrl: url ?? '' };
}

/** The certificate (PEM file) the IdP signs its metadata with, when the command gives one: the metadata must then be signed with it. */
async function signingCertificateOf(values: CliArgs['values']): Promise<{ metadataSigningCertificate?: string }> {
  const file = values['metadata-signing-certificate'];
  return typeof file === 'string' ? { metadataSigningCertificate: await readFile(file, 'utf8') } : {};
}

/** A SAML connection as the admin reads it: the IdP values, the certificates with their expiry, the SP values to give the IdP admin. */
function show(conn: SamlConnection, out: (line: string) => void, json: boolean): void {
  if (json) return out(JSON.stringify(conn));
  out(`${conn.id}\t${conn.name}`);
  out(`  IdP entity ID   ${conn.idpEntityId}`);
  out(`  SSO URL         ${conn.ssoUrl} (${conn.ssoBinding})`);
  for (const c of conn.certificates)
    out(`  certificate     ${c.fingerprint256} until ${c.validTo}${c.expired ? ' EXPIRED' : c.expiresSoon ? ' (expires within 30 days)' : ''}`);
  const m = conn.metadataSigningCertificate;
  if (m)
    out(
      `  metadata signed ${m.fingerprint256} until ${m.validTo}${m.expired ? ' EXPIRED' : m.expiresSoon ? ' (expires within 30 days)' : ''} (verified on every import and refresh)`,
    );
  if (conn.metadata)
    out(
      `  metadata        ${conn.metadata.url ?? '(uploaded)'}, checked ${conn.metadata.checkedAt}${conn.metadata.lastError ? `; last refresh refused: ${conn.metadata.lastError.code}: ${conn.metadata.lastError.message}` : ''}`,
    );
  out(`  give the IdP:   entity ID ${conn.spEntityId}`);
  out(`                  ACS URL ${conn.acsUrl}`);
  out(`                  SP metadata ${conn.metadataUrl}`);
}

/**
 * `onramp connections …`: a tenant's connections, and SAML set-up from the
 * IdP's metadata — create from a file or a URL, replace from new metadata,
 * refresh from the stored URL.
 */
export async function connectionsCommand(call: AdminCall, { command, args, values, out }: CliArgs): Promise<number> {
  const json = values.json === true;
  const [id] = args;
  const needId = () => {
    if (!id) throw new UsageError(`onramp connections ${command ?? ''} <connection-id> --tenant <slug>`);
    return encodeURIComponent(id);
  };
  let conn: SamlConnection | null;
  switch (command) {
    case 'list': {
      const res = await call<{ data: Array<{ id: string; kind: string; name: string; enabled: boolean; loginUrl: string }> }>('GET', '/connections');
      if (!res) return 1;
      if (json) out(JSON.stringify(res.data));
      else for (const c of res.data) out(`${c.id}\t${c.kind}\t${c.enabled ? 'enabled' : 'disabled'}\t${c.name}\t${c.loginUrl}`);
      return 0;
    }
    case 'saml-from-metadata': {
      if (typeof values.name !== 'string') throw new UsageError('--name is required');
      conn = await call<SamlConnection>('POST', '/connections/saml/from-metadata', {
        name: values.name,
        ...(await sourceOf(values)),
        ...(await signingCertificateOf(values)),
      });
      break;
    }
    case 'saml-metadata':
      conn = await call<SamlConnection>('PUT', `/connections/saml/${needId()}/metadata`, {
        ...(await sourceOf(values)),
        ...(await signingCertificateOf(values)),
      });
      break;
    case 'refresh-metadata':
      conn = await call<SamlConnection>('POST', `/connections/saml/${needId()}/metadata/refresh`);
      break;
    case 'show':
      conn = await call<SamlConnection>('GET', `/connections/saml/${needId()}`);
      break;
    default:
      throw new UsageError(`unknown command: connections ${command ?? ''}\n  ${USAGE}`);
  }
  if (!conn) return 1;
  show(conn, out, json);
  return 0;
}
