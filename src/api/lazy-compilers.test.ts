import Fastify, { type FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { lazySerializerFactory, lazyValidatorFactory } from './lazy-compilers.ts';

const Body = Type.Object(
  { name: Type.String({ minLength: 2 }), size: Type.Optional(Type.Integer()) },
  { additionalProperties: false },
);
const Reply = Type.Object({ name: Type.String(), size: Type.Integer() });

/** The same two routes on Fastify's default compilers and on the lazy ones. */
async function appWith(lazy: boolean): Promise<FastifyInstance> {
  const app = Fastify({
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
    ...(lazy
      ? {
          schemaController: {
            compilersFactory: {
              buildValidator: lazyValidatorFactory(),
              buildSerializer: lazySerializerFactory(),
            },
          },
        }
      : {}),
  });
  for (const path of ['/a', '/b']) {
    app.post(path, { schema: { body: Body, response: { 200: Reply } } }, (request) => ({
      ...(request.body as object),
      size: 3.7,
      extra: 'dropped by the schema',
    }));
  }
  await app.ready();
  return app;
}

describe('lazy schema compilers', () => {
  it('validate and serialise exactly as Fastify’s defaults, on every route sharing a schema', async () => {
    const [plain, lazy] = [await appWith(false), await appWith(true)];
    const cases = [
      { name: 'ok' },
      { name: 'x' },
      { name: 5, size: 'big', other: true },
      { size: 1 },
      'not an object',
    ];
    for (const path of ['/a', '/b']) {
      for (const body of cases) {
        const request = {
          method: 'POST' as const,
          url: path,
          payload: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        };
        const [expected, actual] = [await plain.inject(request), await lazy.inject(request)];
        expect(actual.statusCode).toBe(expected.statusCode);
        expect(actual.body).toBe(expected.body);
      }
    }
    expect((await lazy.inject({ method: 'POST', url: '/a', payload: { name: 'ok' } })).body).toBe(
      '{"name":"ok","size":3}',
    );
    await Promise.all([plain.close(), lazy.close()]);
  });
});
