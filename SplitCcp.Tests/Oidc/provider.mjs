// A real OpenID Connect provider for the tests (oidc-provider, with its development sign-in form): one confidential client,
// and the users in a JSON file read at every sign-in, so a test can change someone's groups between two sign-ins.
//   node provider.mjs <port> <users.json> <client id> <client secret> <redirect uri>
// users.json: { "<login>": { "email": "…", "email_verified": true, "groups": ["…"] } }. Prints "ready" once it listens;
// stops when its standard input closes.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [port, usersFile, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const users = () => JSON.parse(readFileSync(usersFile, 'utf8'));

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  cookies: { keys: ['splitccp-tests-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const user = users()[id];
    if (!user) {
      return undefined;
    }

    return {
      accountId: id,
      async claims() {
        return { sub: id, name: id, ...users()[id] };
      },
    };
  },
  // A company provider's own application: its users are not asked to consent to what the portal reads.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ accountId: ctx.oidc.session.accountId, clientId: ctx.oidc.client.clientId });
    grant.addOIDCScope(ctx.oidc.params.scope);
    grant.addOIDCClaims(Object.keys(users()[ctx.oidc.session.accountId] ?? {}).concat(['sub', 'name']));
    await grant.save();
    return grant;
  },
});

const server = provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
process.stdin.resume();
process.stdin.on('end', () => server.close(() => process.exit(0)));
