import assert from 'node:assert/strict';
import { connectDatabase } from '../db';
import { RateLimitedError } from '../errors';
import { describeEachDatabase } from '../testing/databases';
import { InvalidCredentialsError } from './errors';
import { login } from './flows';
import { LoginThrottle } from './login-throttle';
import { RateLimiter } from './rate-limiter';
import { makeUser, manualClock, testAuthServices } from './test-helpers';

const MINUTE = 60_000;

describeEachDatabase('RateLimiter', (ctx) => {
  it('allows `limit` hits per window, then answers 429 with a Retry-After until the oldest hit leaves', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter(
      ctx.db.knex,
      { bucket: 't:basic', limit: 3, windowSeconds: 600, message: 'Slow down' },
      clock.now,
    );
    await limiter.hit('k');
    clock.advance(MINUTE);
    await limiter.hit('k');
    await limiter.hit('k');
    await limiter.hit('other key');
    const error = await limiter.hit('k').then(
      () => assert.fail('expected a RateLimitedError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof RateLimitedError);
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterSeconds, 540);
    assert.equal(error.headers['Retry-After'], '540');
    assert.match(error.message, /^Slow down; try again in 540 seconds$/);
    await assert.rejects(limiter.check('k'), RateLimitedError);
    clock.advance(9 * MINUTE);
    await limiter.check('k');
    await limiter.hit('k');
    await assert.rejects(limiter.hit('k'), RateLimitedError);
  });

  it('a released hit and a reset key no longer count; refused hits are not kept', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter(
      ctx.db.knex,
      { bucket: 't:release', limit: 2, windowSeconds: 60, message: 'm' },
      clock.now,
    );
    const first = await limiter.hit('k');
    await limiter.hit('k');
    for (let i = 0; i < 3; i++) await assert.rejects(limiter.hit('k'), RateLimitedError);
    await first.release();
    await limiter.hit('k');
    await limiter.reset('k');
    await limiter.hit('k');
    await limiter.hit('k');
    const count = await ctx.db
      .knex('rate_limit_hits')
      .where({ bucket: 't:release' })
      .count<{ count: string }[]>('* as count');
    assert.equal(Number(count[0].count), 2);
  });

  it('buckets are independent and prune drops only hits that left the window', async () => {
    const clock = manualClock();
    const a = new RateLimiter(
      ctx.db.knex,
      { bucket: 't:a', limit: 1, windowSeconds: 60, message: 'm' },
      clock.now,
    );
    const b = new RateLimiter(
      ctx.db.knex,
      { bucket: 't:b', limit: 1, windowSeconds: 60, message: 'm' },
      clock.now,
    );
    await a.hit('k');
    await b.hit('k');
    await a.hit('other');
    clock.advance(2 * MINUTE);
    await b.hit('fresh');
    assert.equal(await a.prune(), 2);
    assert.equal(await b.prune(), 1);
    await assert.rejects(b.hit('fresh'), RateLimitedError);
  });
});

describeEachDatabase('login throttling', (ctx) => {
  it('locks an account after 5 failures in 15 minutes, whatever the address, even for the right password', async () => {
    const clock = manualClock();
    const auth = testAuthServices(ctx.db.knex, { now: clock.now });
    const user = await makeUser(ctx.db.knex, auth, 'the right password');
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        login(auth, { email: user.email, password: `wrong guess ${i}`, ip: `10.0.0.${i}` }),
        InvalidCredentialsError,
      );
      clock.advance(MINUTE);
    }
    const error = await login(auth, {
      email: user.email,
      password: 'the right password',
      ip: '10.9.9.9',
    }).then(
      () => assert.fail('expected 429'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof RateLimitedError);
    assert.equal(error.code, 'rate_limited');
    assert.equal(error.retryAfterSeconds, 10 * 60);
    assert.match(error.message, /for this account/);
    // The same answer for an email nobody has, so the throttle doesn't reveal which emails exist.
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        login(auth, { email: 'ghost@example.com', password: 'x'.repeat(12), ip: `10.1.0.${i}` }),
        InvalidCredentialsError,
      );
    }
    await assert.rejects(
      login(auth, { email: 'GHOST@example.com', password: 'x'.repeat(12), ip: '10.1.1.1' }),
      RateLimitedError,
    );
    clock.advance(10 * MINUTE);
    const ok = await login(auth, { email: user.email, password: 'the right password', ip: '10.9.9.9' });
    assert.equal(ok.user.id, user.id);
  });

  it('a success clears the account failures', async () => {
    const clock = manualClock();
    const auth = testAuthServices(ctx.db.knex, { now: clock.now });
    const user = await makeUser(ctx.db.knex, auth, 'the right password');
    for (let i = 0; i < 4; i++) {
      await assert.rejects(
        login(auth, { email: user.email, password: 'wrong password', ip: '10.2.0.1' }),
        InvalidCredentialsError,
      );
    }
    await login(auth, { email: user.email, password: 'the right password', ip: '10.2.0.1' });
    for (let i = 0; i < 4; i++) {
      await assert.rejects(
        login(auth, { email: user.email, password: 'wrong password', ip: '10.2.0.2' }),
        InvalidCredentialsError,
      );
    }
    await login(auth, { email: user.email, password: 'the right password', ip: '10.2.0.2' });
  });

  it('locks an address after 20 failures across accounts, without locking those accounts elsewhere', async () => {
    const clock = manualClock();
    const auth = testAuthServices(ctx.db.knex, { now: clock.now });
    const victim = await makeUser(ctx.db.knex, auth, 'the right password');
    for (let i = 0; i < 20; i++) {
      await assert.rejects(
        login(auth, { email: `target${i}@example.com`, password: 'guessing away', ip: '203.0.113.7' }),
        InvalidCredentialsError,
      );
    }
    const error = await login(auth, {
      email: victim.email,
      password: 'the right password',
      ip: '203.0.113.7',
    }).then(
      () => assert.fail('expected 429'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof RateLimitedError);
    assert.match(error.message, /from this address/);
    assert.equal(
      (await login(auth, { email: victim.email, password: 'the right password', ip: '198.51.100.1' })).user
        .id,
      victim.id,
    );
    clock.advance(15 * MINUTE);
    await login(auth, { email: victim.email, password: 'the right password', ip: '203.0.113.7' });
  });

  it('holds across two service instances (two processes) sharing the database', async () => {
    const clock = manualClock();
    // On Postgres the second instance has its own connection pool, as another process would.
    const other = ctx.db.url ? connectDatabase({ kind: 'postgres', url: ctx.db.url, poolMax: 2 }) : undefined;
    try {
      const first = new LoginThrottle(ctx.db.knex, undefined, clock.now);
      const second = new LoginThrottle(other?.knex ?? ctx.db.knex, undefined, clock.now);
      for (let i = 0; i < 5; i++) await (i % 2 ? first : second).begin('shared@example.com', `192.0.2.${i}`);
      await assert.rejects(first.begin('shared@example.com', '192.0.2.50'), RateLimitedError);
      await assert.rejects(second.begin('SHARED@example.com', '192.0.2.51'), RateLimitedError);
    } finally {
      await other?.close();
    }
  });

  it('lets exactly `limit` of many concurrent attempts through', async function () {
    const clock = manualClock();
    const limiter = new RateLimiter(
      ctx.db.knex,
      { bucket: 't:race', limit: 5, windowSeconds: 60, message: 'm' },
      clock.now,
    );
    const results = await Promise.allSettled(Array.from({ length: 25 }, () => limiter.hit('same')));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
    assert.ok(results.every((r) => r.status === 'fulfilled' || r.reason instanceof RateLimitedError));
  });
});
