import assert from 'node:assert/strict';
import { AccountsRepository } from '../accounts';
import { manualClock } from '../auth/test-helpers';
import { ConflictError, NotFoundError, OAuthError, RateLimitedError } from '../errors';
import { describeEachDatabase } from '../testing/databases';
import { USER_CODE_ALPHABET } from './codes';
import { DeviceAuthService } from './flow';
import { findLiveToken } from '../tokens';

const PUBLIC_URL = 'http://127.0.0.1:8000';

/** Asserts that `promise` fails with the OAuth error `code` (its RFC name). */
async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof OAuthError, `an OAuthError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

describeEachDatabase('device sign-in (RFC 8628)', (ctx) => {
  let counter = 0;
  /** A person who is `role` in an organization of their own. */
  async function person(role: string) {
    counter += 1;
    const accounts = new AccountsRepository(ctx.db.knex);
    const org = await accounts.ensureOrganization(`device-org-${counter}`, 'Org');
    const user = await accounts.ensureUser(`device${counter}-${Date.now()}@example.com`, false);
    await accounts.ensureMember(org.id, user.id, role);
    return user;
  }

  function service() {
    const clock = manualClock();
    return { clock, devices: new DeviceAuthService(ctx.db.knex, PUBLIC_URL, undefined, clock.now) };
  }

  it('answers the codes: a verification URI on PUBLIC_URL, 15 minutes, 5 s; codes stored only hashed', async () => {
    const { devices } = service();
    const answer = await devices.start({
      clientId: 'vscode',
      scope: 'event:read event:write',
      ip: '10.0.0.1',
    });
    assert.match(answer.userCode, new RegExp(`^[${USER_CODE_ALPHABET}]{4}-[${USER_CODE_ALPHABET}]{4}$`));
    assert.match(answer.deviceCode, /^[\w-]{43}$/);
    assert.equal(answer.verificationUri, `${PUBLIC_URL}/oauth/device`);
    assert.equal(answer.verificationUriComplete, `${PUBLIC_URL}/oauth/device?user_code=${answer.userCode}`);
    assert.equal(answer.expiresIn, 900);
    assert.equal(answer.interval, 5);
    const dump = JSON.stringify(await ctx.db.knex('device_authorizations').select());
    assert.ok(!dump.includes(answer.deviceCode) && !dump.includes(answer.userCode));
  });

  it('refuses unknown clients and scopes with the RFC names', async () => {
    const { devices } = service();
    await rejectsWith(devices.start({ clientId: 'evil', ip: '10.0.0.2' }), 'invalid_client');
    await rejectsWith(devices.start({ ip: '10.0.0.2' }), 'invalid_client');
    await rejectsWith(
      devices.start({ clientId: 'vscode', scope: 'event:read root', ip: '10.0.0.2' }),
      'invalid_scope',
    );
  });

  it('grants the requested scopes the person holds, no more; the token is issued once, to that client', async () => {
    const { clock, devices } = service();
    const member = await person('member');
    const started = await devices.start({
      clientId: 'vscode',
      scope: 'event:write org:admin',
      ip: '10.0.0.3',
    });
    await rejectsWith(
      devices.poll({ clientId: 'vscode', deviceCode: started.deviceCode, ip: '10.0.0.3' }),
      'authorization_pending',
    );

    // Typed in lower case without the dash: still the code.
    const typed = started.userCode.toLowerCase().replace('-', '');
    const pending = await devices.describe(typed, member, '10.0.0.3');
    assert.deepEqual(pending.grantableScopes, ['event:write']);
    await devices.decide(typed, member, true, '10.0.0.3');
    await assert.rejects(devices.decide(typed, member, true, '10.0.0.3'), ConflictError);

    clock.advance(5000);
    await rejectsWith(
      devices.poll({ clientId: 'cli', deviceCode: started.deviceCode, ip: '10.0.0.3' }),
      'invalid_grant',
    );
    const issued = await devices.poll({ clientId: 'vscode', deviceCode: started.deviceCode, ip: '10.0.0.3' });
    assert.deepEqual(issued.scopes, ['event:write']);
    const owner = await findLiveToken(ctx.db.knex, issued.accessToken);
    assert.equal(owner?.user?.id, member.id);
    assert.deepEqual(owner?.scopes, ['event:write']);

    clock.advance(5000);
    await rejectsWith(
      devices.poll({ clientId: 'vscode', deviceCode: started.deviceCode, ip: '10.0.0.3' }),
      'invalid_grant',
    );
  });

  it('says slow_down to a device polling before its interval, and adds 5 s to it each time', async () => {
    const { clock, devices } = service();
    const { deviceCode } = await devices.start({ clientId: 'cli', ip: '10.0.0.4' });
    const poll = () => devices.poll({ clientId: 'cli', deviceCode, ip: '10.0.0.4' });
    await rejectsWith(poll(), 'authorization_pending');
    clock.advance(4000);
    await rejectsWith(poll(), 'slow_down');
    // The interval is 10 s now, counted from the last poll.
    clock.advance(9000);
    await rejectsWith(poll(), 'slow_down');
    clock.advance(15_000);
    await rejectsWith(poll(), 'authorization_pending');
  });

  it('denied is access_denied; after 15 minutes expired_token, and the page no longer finds the code', async () => {
    const { clock, devices } = service();
    const member = await person('member');
    const denied = await devices.start({ clientId: 'vscode', ip: '10.0.0.5' });
    await devices.decide(denied.userCode, member, false, '10.0.0.5');
    await rejectsWith(
      devices.poll({ clientId: 'vscode', deviceCode: denied.deviceCode, ip: '10.0.0.5' }),
      'access_denied',
    );

    const late = await devices.start({ clientId: 'vscode', ip: '10.0.0.5' });
    clock.advance(900_000);
    await rejectsWith(
      devices.poll({ clientId: 'vscode', deviceCode: late.deviceCode, ip: '10.0.0.5' }),
      'expired_token',
    );
    await assert.rejects(devices.describe(late.userCode, member, '10.0.0.5'), NotFoundError);
    await rejectsWith(
      devices.poll({ clientId: 'vscode', deviceCode: 'made-up', ip: '10.0.0.5' }),
      'invalid_grant',
    );
  });

  it('throttles guessing user codes: 10 unknown codes per address, then 429 even for a right one', async () => {
    const { devices } = service();
    const member = await person('member');
    const real = await devices.start({ clientId: 'vscode', ip: '10.0.0.6' });
    for (let i = 0; i < 10; i += 1) {
      const guess = real.userCode.startsWith('BBBB') ? 'CCCC-CCCC' : 'BBBB-BBBB';
      await assert.rejects(devices.describe(guess, member, '10.0.0.6'), NotFoundError);
    }
    await assert.rejects(devices.describe(real.userCode, member, '10.0.0.6'), RateLimitedError);
  });

  it('refuses to approve for a person who holds none of the requested scopes', async () => {
    const { devices } = service();
    const billing = await person('billing');
    const started = await devices.start({ clientId: 'vscode', scope: 'event:write', ip: '10.0.0.7' });
    await assert.rejects(devices.decide(started.userCode, billing, true, '10.0.0.7'), ConflictError);
    await devices.decide(started.userCode, billing, false, '10.0.0.7');
  });
});
