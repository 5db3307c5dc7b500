import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { z } from 'zod';
import { ConflictError } from '../errors';
import { createHttpApp } from '../http';
import { describeEachDatabase } from '../testing/databases';
import { registerRoutes, route, type ApiRoute } from './define-route';

/**
 * The contract check that every API test runs under (api-test-kit.ts turns it on): an answer its
 * route doesn't declare fails. These routes break their declarations on purpose.
 */
describeEachDatabase('answers checked against the declared responses', (ctx) => {
  const greeting = z.strictObject({ hello: z.string() });
  const routes: ApiRoute[] = [
    route({
      method: 'get',
      path: '/api/0/declared/',
      scope: null,
      resource: 'public',
      summary: 'Answers what it declares',
      response: greeting,
      handler: async () => ({ hello: 'world' }),
    }),
    route({
      method: 'get',
      path: '/api/0/extra-field/',
      scope: null,
      resource: 'public',
      summary: 'Answers a field its declaration lacks',
      response: greeting,
      // The cast stands for a serializer that drifted from its schema.
      handler: async () => ({ hello: 'world', secret: 'leaked' }) as { hello: string },
    }),
    route({
      method: 'post',
      path: '/api/0/wrong-status/',
      scope: null,
      resource: 'public',
      summary: 'Declares 200 but answers nothing (204)',
      response: greeting,
      handler: async () => undefined as unknown as { hello: string },
    }),
    route({
      method: 'post',
      path: '/api/0/undeclared-error/',
      scope: null,
      resource: 'public',
      summary: 'Refuses with a 409 it does not declare',
      response: null,
      handler: async () => {
        throw new ConflictError('Taken', 'taken');
      },
    }),
  ];

  const serve = async (checkAnswers: boolean) => {
    const app = createHttpApp(pino({ level: 'silent' }), [
      (router) =>
        registerRoutes(router, routes, async () => null, {
          knex: ctx.db.knex,
          userHas2FA: async () => false,
          checkAnswers,
        }),
    ]);
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const call = async (method: string, path: string) => {
      const response = await fetch(`${url}${path}`, { method });
      const text = await response.text();
      return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
    };
    return { call, close: () => new Promise((resolve) => server.close(resolve)) };
  };

  it('lets a declared answer through unchanged', async () => {
    const server = await serve(true);
    try {
      assert.deepEqual(await server.call('GET', '/api/0/declared/'), {
        status: 200,
        body: { hello: 'world' },
      });
    } finally {
      await server.close();
    }
  });

  it('turns an undeclared field, status or error into a 500 that names the mismatch', async () => {
    const server = await serve(true);
    try {
      const extra = await server.call('GET', '/api/0/extra-field/');
      assert.equal(extra.status, 500);
      assert.deepEqual(extra.body, {
        code: 'undeclared_answer',
        detail:
          'GET /api/0/extra-field/ answered a body its response schema refuses: at ``: Unrecognized key: "secret"',
      });
      const status = await server.call('POST', '/api/0/wrong-status/');
      assert.deepEqual(status, {
        status: 500,
        body: {
          code: 'undeclared_answer',
          detail: 'POST /api/0/wrong-status/ answered 204 but declares 200',
        },
      });
      const error = await server.call('POST', '/api/0/undeclared-error/');
      assert.equal(error.status, 500);
      assert.match(
        (error.body as { detail: string }).detail,
        /answered 409, which it doesn't declare \(400\): Taken/,
      );
    } finally {
      await server.close();
    }
  });

  it('checks nothing when turned off, as in production', async () => {
    const server = await serve(false);
    try {
      assert.deepEqual(await server.call('GET', '/api/0/extra-field/'), {
        status: 200,
        body: { hello: 'world', secret: 'leaked' },
      });
      assert.equal((await server.call('POST', '/api/0/undeclared-error/')).status, 409);
    } finally {
      await server.close();
    }
  });
});
