import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { freePort } from '../../src/devservices/ports';

/** How the provider misbehaves on the next token request. */
export type Misbehaviour =
  | { kind: 'honest' }
  | { kind: 'unknown-key' }
  | { kind: 'corrupt-signature' }
  | { kind: 'huge-token-response'; bytes: number }
  | { kind: 'huge-claim'; bytes: number }
  | { kind: 'many-groups'; count: number }
  | { kind: 'iat-ahead'; seconds: number };

export interface RogueOidcProvider {
  issuer: string;
  /** What the next token response does. */
  next: Misbehaviour;
  /** What discovery answers: the document, one naming another issuer, or a 503. */
  discovery: 'honest' | 'wrong-issuer' | 'unavailable';
  /** The person the provider signs in, and what it says about them. */
  user: { sub: string; email: string; email_verified: boolean; name: string };
  close(): Promise<void>;
}

/**
 * An OpenID Provider on loopback whose answers a test controls: it signs
 * honest ID tokens with its published key (jose), or signs with a key it
 * never published, corrupts the signature, pads the token response to
 * megabytes, stuffs a claim, dates `iat` in the future, or breaks its discovery document. oidc-provider
 * (the honest OP of the other tests) cannot be made to do these.
 */
export async function startRogueOidcProvider(client: { clientId: string }): Promise<RogueOidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const published = await generateKeyPair('RS256');
  const unpublished = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(published.publicKey)), kid: 'published', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string; redirectUri: string }>();
  const op: RogueOidcProvider = {
    issuer,
    next: { kind: 'honest' },
    discovery: 'honest',
    user: { sub: 'rogue-sub', email: 'someone@rogue.test', email_verified: true, name: 'Someone' },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const sign = async (claims: Record<string, unknown>, key: CryptoKey, kid: string, iatOffset = 0) => {
    const now = Math.floor(Date.now() / 1000) + iatOffset;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(issuer)
      .setAudience(client.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(key);
  };

  const idToken = async (nonce: string): Promise<{ token: string; padding: string | null }> => {
    const b = op.next;
    const base = { sub: op.user.sub, nonce, email: op.user.email, email_verified: op.user.email_verified, name: op.user.name };
    switch (b.kind) {
      case 'unknown-key':
        return { token: await sign(base, unpublished.privateKey, 'published'), padding: null };
      case 'corrupt-signature': {
        const token = await sign(base, published.privateKey, 'published');
        const [h, p, s = ''] = token.split('.');
        return { token: `${h}.${p}.${s.slice(0, -6)}${s.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`, padding: null };
      }
      case 'huge-token-response':
        return { token: await sign(base, published.privateKey, 'published'), padding: 'x'.repeat(b.bytes) };
      case 'huge-claim':
        return { token: await sign({ ...base, name: 'n'.repeat(b.bytes) }, published.privateKey, 'published'), padding: null };
      case 'many-groups':
        return {
          token: await sign({ ...base, groups: Array.from({ length: b.count }, (_, i) => `group-${i}`) }, published.privateKey, 'published'),
          padding: null,
        };
      case 'iat-ahead':
        return { token: await sign(base, published.privateKey, 'published', b.seconds), padding: null };
      case 'honest':
        return { token: await sign(base, published.privateKey, 'published'), padding: null };
    }
  };

  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      if (url.pathname === '/.well-known/openid-configuration') {
        if (op.discovery === 'unavailable') return json(res, 503, { error: 'temporarily_unavailable' });
        return json(res, 200, {
          issuer: op.discovery === 'wrong-issuer' ? 'https://login.example.test/another-tenant' : issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          userinfo_endpoint: `${issuer}/userinfo`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic'],
        });
      }
      if (url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
      if (url.pathname === '/authorize') {
        const code = randomBytes(16).toString('hex');
        const redirectUri = url.searchParams.get('redirect_uri') ?? '';
        codes.set(code, { nonce: url.searchParams.get('nonce') ?? '', redirectUri });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        res.writeHead(302, { location: back.href });
        return res.end();
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += String(chunk);
        const code = new URLSearchParams(body).get('code') ?? '';
        const grant = codes.get(code);
        codes.delete(code);
        if (!grant) return json(res, 400, { error: 'invalid_grant' });
        const { token, padding } = await idToken(grant.nonce);
        return json(res, 200, {
          access_token: randomBytes(16).toString('hex'),
          token_type: 'Bearer',
          expires_in: 600,
          id_token: token,
          ...(padding ? { padding } : {}),
        });
      }
      if (url.pathname === '/userinfo') return json(res, 200, { sub: op.user.sub });
      return json(res, 404, { error: 'not_found' });
    })().catch((err: unknown) => json(res, 500, { error: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return op;
}
