import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { newIdp, samlSignIn, useSamlTenant, user, type Harness, type SamlConnectionInfo } from '../support/harness';
import { scimClient } from '../support/scimClient';
import { expiredIdpKeys } from '../support/expiredCertificate';
import { generateIdpKeys, idpMetadata } from '../../src/demo/samlIdp';
import { runCli } from '../../src/cli/main';
import { startReceiver } from '../support/webhookReceiver';
import { signMetadata } from '../support/signedMetadata';

const CLI = fileURLToPath(new URL('../../src/bin/onramp.ts', import.meta.url));
const exec = promisify(execFile);

/**
 * The onramp CLI against the running admin API. Most command lines run in
 * this process through the CLI's entry function (what `src/bin/onramp.ts`
 * calls) with its output captured; `spawned` runs a few as their own OS
 * process, so the real entry point, its streams and its exit codes are proven too.
 */
describe('the onramp CLI', () => {
  let h: Harness;
  let conn: SamlConnectionInfo;
  const idp = newIdp('cli');

  const onramp = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const progress = new Writable({
      write(chunk: Buffer, _encoding, done) {
        stderr += chunk.toString();
        done();
      },
    });
    const code = await runCli(args, {
      out: (line) => (stdout += `${line}\n`),
      err: (line) => (stderr += `${line}\n`),
      progress,
      env: { ONRAMP_URL: h.url, ONRAMP_ADMIN_TOKEN: h.adminToken },
    });
    return { code, stdout, stderr };
  };
  const spawned = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', CLI, ...args], {
        env: { ...process.env, ONRAMP_URL: h.url, ONRAMP_ADMIN_TOKEN: h.adminToken },
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  useSamlTenant('cli', idp, (t) => ({ h, conn } = t));
  beforeAll(async () => {
    await h.admin('PUT', '/tenants/cli/approval-policy', { when: ['new-accounts'] });
    for (const who of ['cleo', 'carl']) expect((await samlSignIn(conn, idp, user(who, 'cli.test'))).status).toBe(202);
  });

  it('lists, approves with roles, rejects with a reason; refusals exit 1 with the API error, misuse exits 2', async () => {
    const list = await onramp('approvals', 'list', '--tenant', 'cli');
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const idOf = (email: string) => lines.find((l) => l.includes(email))?.split('\t')[0] ?? '';

    const json = JSON.parse((await onramp('approvals', 'list', '--tenant', 'cli', '--email', 'cleo@cli.test', '--json')).stdout) as { data: unknown[] };
    expect(json.data).toHaveLength(1);

    const approve = await onramp('approvals', 'approve', idOf('cleo@cli.test'), '--tenant', 'cli', '--roles', 'member,admin');
    expect(approve).toMatchObject({ code: 0, stdout: `${idOf('cleo@cli.test')}: approved\n` });
    const again = await spawned('approvals', 'approve', idOf('cleo@cli.test'), '--tenant', 'cli');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('409 approval_already_decided');

    expect((await onramp('approvals', 'reject', idOf('carl@cli.test'), '--tenant', 'cli')).code).toBe(2);
    expect((await onramp('approvals', 'reject', idOf('carl@cli.test'), '--tenant', 'cli', '--reason', 'unknown')).stdout).toContain('rejected');
    expect((await onramp('approvals', 'list', '--tenant', 'nope')).stderr).toContain('404 not_found');
    const misuse = await spawned('approvals', 'frobnicate', '--tenant', 'cli');
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toContain('usage:');
    expect((await onramp('approvals', 'list')).code).toBe(2);
  });

  it('manages SCIM directories: the token printed once at creation and rotation, never by list', async () => {
    const created = await onramp('directories', 'create', '--tenant', 'cli', '--name', 'Entra ID', '--provider', 'entra');
    expect(created.code).toBe(0);
    const token = /token \(shown once[^:]*\): (onramp_scim_\S+)/.exec(created.stdout)?.[1] ?? '';
    const id = created.stdout.split('\t')[0] ?? '';
    expect(token).not.toBe('');
    expect(await h.services.libraries.scimDirectories.authenticate(id, token)).not.toBeNull();
    const list = await onramp('directories', 'list', '--tenant', 'cli');
    expect(list.stdout).toContain(id);
    expect(list.stdout).not.toContain(token);
    const rotated = await onramp('directories', 'rotate', id, '--tenant', 'cli', '--overlap-seconds', '0');
    expect(rotated.code).toBe(0);
    expect(await h.services.libraries.scimDirectories.authenticate(id, token)).toBeNull();
    // What the directory pushed and did.
    const pushed = await scimClient(`${h.url}/scim/v2/${id}`, /token \(shown once[^:]*\): (onramp_scim_\S+)/.exec(rotated.stdout)?.[1] ?? '').call(
      'POST',
      '/Users',
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'pat@cli.test',
        emails: [{ value: 'pat@cli.test', primary: true }],
      },
    );
    expect(pushed.status).toBe(201);
    expect((await onramp('directories', 'users', id, '--tenant', 'cli')).stdout).toMatch(new RegExp(`${String(pushed.body.id)}\tpat@cli.test\tactive`));
    expect((await onramp('directories', 'groups', id, '--tenant', 'cli')).stdout).toContain('no groups');
    // The member lifecycle on the account the directory made.
    const pat = String((await h.services.db.models.users.findOne({ email: 'pat@cli.test' }).lean())?._id);
    expect((await onramp('members', 'suspend', pat, '--tenant', 'cli')).stdout).toContain(`${pat}\tsuspended`);
    expect((await onramp('members', 'reactivate', pat, '--tenant', 'cli')).stdout).toContain(`${pat}\tactive`);
    const nobody = await onramp('members', 'remove', '0123456789abcdef01234567', '--tenant', 'cli');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('404 not_found');
    expect((await onramp('directories', 'operations', id, '--tenant', 'cli')).stdout).toContain('scim.user_created');
    expect((await onramp('directories', 'sync-settings', '--tenant', 'cli')).stdout).toContain('authoritative: false\tdeprovision: suspend');
    expect((await onramp('directories', 'sync-settings', '--tenant', 'cli', '--authoritative', 'true', '--deprovision', 'remove')).stdout).toContain(
      'authoritative: true\tdeprovision: remove',
    );
    expect((await onramp('directories', 'sync-settings', '--tenant', 'cli', '--authoritative', 'maybe')).code).toBe(2);
    expect((await onramp('directories', 'sync-settings', '--tenant', 'cli', '--subject-match', 'userName')).stdout).toContain(
      'deprovision: remove\tsubject-match: userName',
    );
    expect((await onramp('directories', 'disable', id, '--tenant', 'cli')).stdout).toContain('disabled');
    expect((await onramp('directories', 'delete', id, '--tenant', 'cli')).stdout).toContain('deleted');
    const gone = await onramp('directories', 'delete', id, '--tenant', 'cli');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('404 not_found');
    expect((await onramp('directories', 'create', '--tenant', 'cli')).code).toBe(2); // no --name
  });

  it('imports a file with a progress bar and a summary; a dry run writes nothing; the per-row results are saved; invitations', async () => {
    expect((await h.admin('PUT', '/tenants/cli/domains', { domains: [{ domain: 'import.test', verified: true }] })).status).toBe(200);
    const dir = await mkdtemp(join(tmpdir(), 'onramp-cli-'));
    const file = join(dir, 'people.csv');
    await writeFile(file, 'email,name,roles\nimp1@import.test,Imp One,member\nimp2@import.test,Imp Two,member\nnot-an-email,Bad,member\n');
    const dry = await onramp('import', file, '--tenant', 'cli', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run, nothing written: 3 rows');
    expect(dry.stdout).toContain('created 2\tlinked 0\tunchanged 0\tpending 0\tskipped 0\tfailed 1');
    expect(await h.services.db.models.users.countDocuments({ email: 'imp1@import.test' })).toBe(0);

    const results = join(dir, 'results.csv');
    const real = await onramp('import', file, '--tenant', 'cli', '--key', 'cli-people', '--results', results);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('created 2\tlinked 0\tunchanged 0\tpending 0\tskipped 0\tfailed 1');
    expect(real.stderr).toMatch(/3\/3 rows/); // the progress bar, on stderr
    expect((await readFile(results, 'utf8')).trim().split('\n')).toEqual([
      'row,email,outcome,reason,detail,userId',
      expect.stringMatching(/^1,imp1@import.test,created,,,[0-9a-f]{24}$/),
      expect.stringMatching(/^2,imp2@import.test,created,,,[0-9a-f]{24}$/),
      '3,not-an-email,failed,email_invalid,not-an-email,',
    ]);
    expect((await onramp('import', file, '--tenant', 'cli', '--key', 'cli-people')).stdout).toContain('this key was imported before');
    expect((await onramp('import', join(dir, 'missing.csv'), '--tenant', 'cli')).code).toBe(2);

    // Invitations: the accept URL printed once, listed by status, revoked.
    const invited = await onramp('invitations', 'create', '--tenant', 'cli', '--email', 'guest@elsewhere.test', '--roles', 'member');
    expect(invited.code).toBe(0);
    expect(invited.stdout).toMatch(/accept URL \(mailed to guest@elsewhere.test; shown once\): http\S+\/invite\/[A-Za-z0-9_-]+/);
    const invitationId = invited.stdout.split('\t')[0] ?? '';
    expect((await onramp('invitations', 'list', '--tenant', 'cli', '--status', 'pending')).stdout).toContain(`${invitationId}\tguest@elsewhere.test\tpending`);
    expect((await onramp('invitations', 'revoke', invitationId, '--tenant', 'cli')).stdout).toContain(`${invitationId}\tguest@elsewhere.test\trevoked`);
    expect((await onramp('invitations', 'create', '--tenant', 'cli')).code).toBe(2);
  });

  it('webhooks: add prints the secret once, deliveries and rotation; events list and tail, per tenant and for the operator', async () => {
    const receiver = await startReceiver([]);
    try {
      const added = await onramp('webhooks', 'add', receiver.url, '--tenant', 'cli', '--types', 'user.created,invitation.*', '--description', 'host app');
      expect(added.code).toBe(0);
      const secret = /signing secret \(shown once; verify deliveries with it\): (whsec_\S+)/.exec(added.stdout)?.[1] ?? '';
      expect(secret).not.toBe('');
      receiver.state.secrets.push(secret);
      const endpointId = added.stdout.split('\t')[0] ?? '';
      const listed = await onramp('webhooks', 'list', '--tenant', 'cli');
      expect(listed.stdout).toContain(`${endpointId}\tenabled\t${receiver.url}\ttypes user.created,invitation.*\thost app`);
      expect(listed.stdout).not.toContain('whsec_');
      expect((await onramp('webhooks', 'list')).stdout).toContain('no webhook endpoints');

      for (const who of ['wendy', 'walt']) expect((await onramp('invitations', 'create', '--tenant', 'cli', '--email', `${who}@elsewhere.test`)).code).toBe(0);
      const tail = await onramp('events', 'tail', '--tenant', 'cli', '--types', 'invitation.created', '--max', '2', '--interval-ms', '200', '--json');
      expect(tail.code).toBe(0);
      const tailed = tail.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; id: string });
      expect(tailed.map((e) => e.type)).toEqual(['invitation.created', 'invitation.created']);
      const operator = await onramp('events', 'list', '--types', 'invitation.created', '--limit', '1');
      const lines = operator.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toBe(`more: --after ${lines[0]?.split('\t')[0]}`);

      await receiver.waitFor((r) => r.filter((x) => x.type === 'invitation.created' && x.status === 200).length >= 2);
      const deliveries = await onramp('webhooks', 'deliveries', endpointId, '--tenant', 'cli');
      expect(deliveries.stdout).toMatch(/invitation\.created\tlive#1\tdelivered\t200/);
      const rotated = await onramp('webhooks', 'rotate', endpointId, '--tenant', 'cli', '--overlap-seconds', '0');
      expect(rotated.stdout).toMatch(/new signing secret \(shown once; verify deliveries with it\): whsec_/);
      expect((await onramp('webhooks', 'disable', endpointId, '--tenant', 'cli')).stdout).toContain('disabled (disabled by an admin)');
      const refused = await onramp('webhooks', 'add', 'ftp://x.test/hook', '--tenant', 'cli');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('400 validation_failed');
      expect((await onramp('webhooks', 'replay', endpointId, '--tenant', 'cli')).code).toBe(2);
      expect((await onramp('webhooks', 'delete', endpointId, '--tenant', 'cli')).stdout).toContain('deleted');
    } finally {
      await receiver.close();
    }
  });

  it("sets up a SAML connection from the IdP's metadata file, shows it with the SP values; refusals exit 1 with the API's code", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'onramp-cli-metadata-'));
    const good = join(dir, 'idp.xml');
    const at = { entityId: 'https://idp.cli-metadata.test/metadata', ssoUrl: 'https://idp.cli-metadata.test/sso' };
    const keys = generateIdpKeys('cli metadata', 365);
    await writeFile(good, idpMetadata({ ...at, certificates: [keys.certificate] }));
    const created = await onramp('connections', 'saml-from-metadata', '--tenant', 'cli', '--name', 'From a file', '--file', good);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`SSO URL         ${at.ssoUrl} (HTTP-Redirect)`);
    expect(created.stdout).toContain(new X509Certificate(keys.certificate).fingerprint256);
    expect(created.stdout).toContain('ACS URL http');
    const id = created.stdout.split('\t')[0] ?? '';
    const shown = JSON.parse((await onramp('connections', 'show', id, '--tenant', 'cli', '--json')).stdout) as { idpEntityId: string; metadata: { url: null } };
    expect(shown).toMatchObject({ idpEntityId: at.entityId, metadata: { url: null } });
    expect((await onramp('connections', 'list', '--tenant', 'cli')).stdout).toContain(`${id}\tsaml\tenabled\tFrom a file`);

    const expired = join(dir, 'expired.xml');
    await writeFile(expired, idpMetadata({ ...at, certificates: [expiredIdpKeys('cli expired').certificate] }));
    const refused = await onramp('connections', 'saml-from-metadata', '--tenant', 'cli', '--name', 'Expired', '--file', expired);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('400 saml_metadata_certificate_expired');
    expect(await h.services.db.models.samlConnections.countDocuments({ name: 'Expired' })).toBe(0);
    const noUrl = await onramp('connections', 'refresh-metadata', id, '--tenant', 'cli');
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain('409 saml_metadata_no_url');
    expect((await onramp('connections', 'saml-from-metadata', '--tenant', 'cli', '--name', 'Neither')).code).toBe(2);
  });

  it('verifies signed metadata with --metadata-signing-certificate, and refuses it unsigned', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'onramp-cli-signed-metadata-'));
    const at = { entityId: 'https://idp.cli-signed.test/metadata', ssoUrl: 'https://idp.cli-signed.test/sso' };
    const [signer, keys] = [generateIdpKeys('cli metadata signer', 365), generateIdpKeys('cli signed token', 365)];
    const [cert, signed, unsigned] = [join(dir, 'signer.pem'), join(dir, 'signed.xml'), join(dir, 'unsigned.xml')];
    await writeFile(cert, signer.certificate);
    await writeFile(unsigned, idpMetadata({ ...at, certificates: [keys.certificate] }));
    await writeFile(signed, signMetadata(idpMetadata({ ...at, certificates: [keys.certificate] }), signer));
    const withCert = ['--tenant', 'cli', '--metadata-signing-certificate', cert];
    const created = await onramp('connections', 'saml-from-metadata', ...withCert, '--name', 'Signed', '--file', signed);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`metadata signed ${new X509Certificate(signer.certificate).fingerprint256}`);
    const refused = await onramp('connections', 'saml-from-metadata', ...withCert, '--name', 'Unsigned', '--file', unsigned);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('400 saml_metadata_signature_invalid');
    expect(await h.services.db.models.samlConnections.countDocuments({ name: 'Unsigned' })).toBe(0);
    const id = created.stdout.split('\t')[0] ?? '';
    const replaced = await onramp('connections', 'saml-metadata', id, '--tenant', 'cli', '--file', unsigned);
    expect(replaced.code).toBe(1);
    expect(replaced.stderr).toContain('400 saml_metadata_signature_invalid');
  });
});
