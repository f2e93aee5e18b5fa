/**
 * Log-out without Redis (`npm start`'s default): the one gateway polls ops' tokenRevocations
 * (TOKEN_REVOCATION_POLL_MS, 2 s), so a logged-out token and the tokens of a user whose roles
 * changed are refused within 5 s, with no call per request.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refusedAfter } from './support/accounts.js';
import {
  bearer,
  contractOperation,
  gql,
  logIn,
  startPlatform,
  type GraphQLResponse,
  type Platform,
} from './support/platform.js';

const ME = '{ me { id } }';
const run_ = Date.now().toString(36);
let platform: Platform;
let url: string;

beforeAll(async () => {
  platform = await startPlatform({ subgraphs: ['ops'], redis: false });
  url = platform.gatewayUrl;
}, 120_000);
afterAll(async () => {
  await platform?.stop();
});

const revoked = ({ status, body }: GraphQLResponse) =>
  status === 401 && /revoked/.test(body.errors?.[0]?.message ?? '');

async function signUp(name: string): Promise<{ token: string; id: string }> {
  const { body } = await gql(url, contractOperation('storefront', 'SignUp'), {
    input: { email: `${name}-${run_}@example.com`, password: 'a-long-enough-password', displayName: name },
  });
  return { token: body.data.signUp.token, id: body.data.signUp.user.id };
}

it('refuses a logged-out token within 5 s', async () => {
  const { token } = await signUp('nora');
  expect((await gql(url, ME, {}, bearer(token))).status).toBe(200);
  const loggedOut = Date.now();
  expect((await gql(url, contractOperation('storefront', 'LogOut'), {}, bearer(token))).body).toEqual({
    data: { logOut: true },
  });
  expect(await refusedAfter(url, ME, bearer(token), revoked, loggedOut)).toBeLessThan(5_000);
});

it("refuses the tokens of a user whose roles changed within 5 s, and not another user's", async () => {
  const [changed, bystander] = [await signUp('otto'), await signUp('pia')];
  const staff = bearer(await logIn(url, 'admin@terrarium.test'));
  const at = Date.now();
  const set = await gql(
    url,
    'mutation ($id: ID!) { setUserRoles(userId: $id, roles: [BREEDER]) { roles } }',
    { id: changed.id },
    staff,
  );
  expect(set.body.data.setUserRoles.roles).toEqual(['BREEDER']);
  expect(await refusedAfter(url, ME, bearer(changed.token), revoked, at)).toBeLessThan(5_000);
  expect((await gql(url, ME, {}, bearer(bystander.token))).body.data.me.id).toBe(bystander.id);
});
