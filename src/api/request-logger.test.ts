import { Writable } from 'node:stream';
import Fastify, { LogController } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { lazyChildLogger } from './request-logger.ts';

/** A pino logger at `level` whose lines are collected (time and pid left out, so runs compare). */
function collecting(level: string): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const {
        time: _time,
        pid: _pid,
        hostname: _host,
        ...line
      } = JSON.parse(chunk.toString()) as Record<string, unknown>;
      lines.push(line);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

/** The lines an app writes for three requests, with or without the lazy factory. */
async function linesOf(lazy: boolean): Promise<Record<string, unknown>[]> {
  const { logger, lines } = collecting('warn');
  let children = 0;
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => 'req-1',
    childLoggerFactory(parent, bindings, options) {
      children += 1;
      return lazy ? lazyChildLogger(parent, bindings, options) : parent.child(bindings, options);
    },
  });
  app.get('/quiet', () => ({ ok: true }));
  app.get('/warns', (request) => {
    request.log.info('not written at warn');
    request.log.warn({ detail: 1 }, 'written');
    return { level: request.log.level };
  });
  app.get('/fails', () => {
    throw new Error('boom');
  });
  app.get('/route-level', { logLevel: 'error' }, (request) => {
    request.log.warn('below the route level');
    return { level: request.log.level };
  });
  const bodies = [];
  for (const url of ['/quiet', '/warns', '/fails', '/route-level'])
    bodies.push((await app.inject({ method: 'GET', url })).body);
  await app.close();
  expect(children).toBeGreaterThanOrEqual(4);
  return [...lines, { bodies }];
}

describe('lazyChildLogger', () => {
  it('writes the lines and answers the levels the default pino child does', async () => {
    const lazy = await linesOf(true);
    expect(lazy).toEqual(await linesOf(false));
    expect(lazy.find((line) => line['msg'] === 'written')).toMatchObject({
      reqId: 'req-1',
      detail: 1,
      level: 40,
    });
    expect(lazy.at(-1)).toEqual({
      bodies: [
        '{"ok":true}',
        '{"level":"warn"}',
        expect.stringContaining('boom') as unknown,
        '{"level":"error"}',
      ],
    });
  });

  it('makes the pino child only when a line is written, a level set or a child asked for', () => {
    const { logger, lines } = collecting('warn');
    let made = 0;
    const parent = {
      ...logger,
      level: logger.level,
      child: (bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => {
        made += 1;
        return logger.child(bindings, options);
      },
    } as unknown as pino.Logger;
    const quiet = lazyChildLogger(parent, { reqId: 'a' }, {});
    expect(quiet.level).toBe('warn');
    expect(made).toBe(0);
    const routeLevel = lazyChildLogger(parent, { reqId: 'b' }, { level: 'debug' });
    expect(routeLevel.level).toBe('debug');
    expect(made).toBe(0);
    quiet.error('first line');
    expect(made).toBe(1);
    quiet.error({ again: true }, 'second line');
    expect(made).toBe(1);
    expect(lines.map((line) => [line['reqId'], line['msg']])).toEqual([
      ['a', 'first line'],
      ['a', 'second line'],
    ]);
    routeLevel.level = 'error';
    expect(made).toBe(2);
    expect(routeLevel.level).toBe('error');
    const grandchild = lazyChildLogger(parent, { reqId: 'c' }, {}).child({ step: 'x' });
    grandchild.warn('from a grandchild');
    expect(made).toBe(3);
    expect(lines.at(-1)).toMatchObject({ reqId: 'c', step: 'x', msg: 'from a grandchild' });
  });
});
