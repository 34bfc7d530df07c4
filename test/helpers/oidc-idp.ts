import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'openpim';
export const CLIENT_SECRET = 'a-test-client-secret-of-some-length';
export const MFA_ACR = 'urn:openpim:test:mfa';

/** The server's settings for single sign-on with this provider. */
export function oidcEnv(idp: { issuer: string }): Record<string, string> {
  return { PIM_OIDC_ISSUER: idp.issuer, PIM_OIDC_CLIENT_ID: CLIENT_ID, PIM_OIDC_CLIENT_SECRET: CLIENT_SECRET };
}

export interface Account { email?: string; email_verified?: boolean; name?: string }
/** What the next login at the provider is: who, and how (amr / acr), or a refusal. */
export interface LoginChoice { accountId: string; amr?: string[]; acr?: string; error?: string }

/**
 * oidc-provider 9 in-process on 127.0.0.1:<random>, with one confidential client whose
 * redirect URI is `publicUrl`'s callback
 * (client_secret_basic, PKCE required) and our own interaction endpoint: the test decides
 * who signs in and with which amr/acr, instead of a login form.
 */
export async function startIdp(publicUrl: string) {
  const accounts = new Map<string, Account>();
  const interactions: Array<{ prompt: string; reasons: string[]; params: Record<string, unknown> }> = [];
  let next: LoginChoice | null = null;
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [`${publicUrl}/api/v1/auth/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'],
    }],
    pkce: { required: () => true },
    acrValues: [MFA_ACR, 'urn:openpim:test:pwd'],
    // Like most providers, the ID token says how the person authenticated (amr, acr, auth_time).
    claims: { acr: null, amr: null, auth_time: null, sid: null, iss: null, openid: ['sub', 'amr', 'acr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx, sub) => {
      const a = accounts.get(sub);
      return a === undefined ? undefined : { accountId: sub, claims: () => ({ sub, ...a }) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['test-cookie-signing-key'] },
    jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
  });
  const handle = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (req.url?.startsWith('/interaction/') === true) {
        const details = await provider.interactionDetails(req, res);
        interactions.push({ prompt: details.prompt.name, reasons: details.prompt.reasons, params: details.params });
        const clientId = String(details.params.client_id);
        const scope = String(details.params.scope);
        if (details.prompt.name === 'login') {
          const choice = next;
          if (choice === null) throw new Error('the test did not say who signs in');
          if (choice.error !== undefined) return provider.interactionFinished(req, res, { error: choice.error, error_description: 'refused by the test' }, { mergeWithLastSubmission: false });
          const grant = new provider.Grant({ accountId: choice.accountId, clientId });
          grant.addOIDCScope(scope);
          const grantId = await grant.save();
          return provider.interactionFinished(req, res, {
            login: { accountId: choice.accountId, ...(choice.amr ? { amr: choice.amr } : {}), ...(choice.acr ? { acr: choice.acr } : {}) },
            consent: { grantId },
          }, { mergeWithLastSubmission: false });
        }
        const grant = details.grantId !== undefined ? (await provider.Grant.find(details.grantId))! : new provider.Grant({ accountId: details.session!.accountId, clientId });
        grant.addOIDCScope(scope);
        return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      }
      return handle(req, res);
    })().catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  return {
    issuer, accounts, interactions,
    set next(c: LoginChoice) { next = c; },
    close: async () => { server.closeAllConnections(); server.close(); await once(server, 'close'); },
  };
}
export type Idp = Awaited<ReturnType<typeof startIdp>>;
