// An OAuth 2 authorization server for scimcheck's tests, built on oidc-provider (npm): the
// client credentials grant, the authorization code grant with PKCE and loopback redirects
// (RFC 8252), refresh tokens, introspection (RFC 7662, for the reference server) and
// revocation (RFC 7009).
//
// Usage: node server.mjs PORT ACCESS_TOKEN_TTL_SECONDS
// Client secrets come from the environment: OIDC_CLIENT_SECRET (clients "scimcheck" and
// "scimcheck-post") and OIDC_RESOURCE_SECRET (client "refserver", which introspects); with
// OIDC_CLIENT_JWK (a public JWK), client "scimcheck-jwt" authenticates by a JWT assertion
// signed with its private key (private_key_jwt, RFC 7523 §2.2).
import Provider from 'oidc-provider';

const [port, ttl] = process.argv.slice(2).map(Number);
const secret = process.env.OIDC_CLIENT_SECRET;
const resourceSecret = process.env.OIDC_RESOURCE_SECRET;
if (!port || !ttl || !secret || !resourceSecret) {
  console.error('usage: OIDC_CLIENT_SECRET=… OIDC_RESOURCE_SECRET=… node server.mjs PORT TTL');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const jwk = process.env.OIDC_CLIENT_JWK;
const jwtClients = jwk
  ? [{
      client_id: 'scimcheck-jwt',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [JSON.parse(jwk)] },
    }]
  : [];

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'scimcheck',
      client_secret: secret,
      application_type: 'native',
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'scimcheck-post',
      client_secret: secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
    },
    {
      client_id: 'refserver',
      client_secret: resourceSecret,
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
    ...jwtClients,
  ],
  scopes: ['openid', 'offline_access', 'scim'],
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    revocation: { enabled: true },
    devInteractions: { enabled: true },
  },
  ttl: {
    AccessToken: ttl,
    ClientCredentials: ttl,
    AuthorizationCode: 60,
    RefreshToken: 3600,
    Grant: 3600,
    Interaction: 600,
    Session: 3600,
  },
  pkce: { required: () => true },
  issueRefreshToken: async () => true,
  // Every grant is accepted as asked: the test user consents to everything.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid offline_access scim');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => {
  console.log(`issuer ${issuer}`);
});
