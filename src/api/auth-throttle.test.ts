/**
 * Failed authentications are rate-limited per client address: the throttle on a fake clock, and the
 * gateway over HTTP (in process, SQLite) with 429, Retry-After and the log lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSluice, type TestSluice } from '../../test/support/sluice.ts';
import { createAuthThrottle } from './auth-throttle.ts';
import { AppError } from '../domain/errors.ts';

function clockAndLog() {
  const lines: { message: string; fields: Record<string, unknown> }[] = [];
  let time = 1_000_000;
  return {
    lines,
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    log: {
      warn: (fields: Record<string, unknown>, message: string) => lines.push({ message, fields }),
      info: (fields: Record<string, unknown>, message: string) => lines.push({ message, fields }),
    },
  };
}

const refusal = (run: () => void): AppError | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  return undefined;
};

describe('auth throttle', () => {
  it('blocks an address after the limit within the window, then lets it try again', () => {
    const clock = clockAndLog();
    const throttle = createAuthThrottle({ limit: 3, windowMs: 60_000, log: clock.log, now: clock.now });
    for (let index = 0; index < 3; index += 1) {
      expect(
        refusal(() => {
          throttle.assertAllowed('10.1.1.1');
        }),
      ).toBeUndefined();
      throttle.failed('10.1.1.1');
      clock.advance(1000);
    }
    const blocked = refusal(() => {
      throttle.assertAllowed('10.1.1.1');
    });
    expect(blocked?.code).toBe('FLOW-1489-429');
    // The oldest failure was 3 s ago: it leaves the 60 s window in 57 s.
    expect(blocked?.report['retryAfterSeconds']).toBe(57);
    expect(
      refusal(() => {
        throttle.assertAllowed('10.2.2.2');
      }),
    ).toBeUndefined();
    expect(
      refusal(() => {
        throttle.assertAllowed('10.1.1.1');
      })?.code,
    ).toBe('FLOW-1489-429');

    clock.advance(57_000);
    expect(
      refusal(() => {
        throttle.assertAllowed('10.1.1.1');
      }),
    ).toBeUndefined();
    expect(clock.lines).toEqual([
      {
        message: 'too many failed authentications: client address blocked',
        fields: { client: '10.1.1.1', failures: 3, windowMs: 60_000 },
      },
      {
        message: 'authentication block ended for a client address',
        fields: { client: '10.1.1.1', refusedRequests: 2 },
      },
    ]);
    throttle.close();
  });

  it('forgets the oldest address beyond its bound', () => {
    const clock = clockAndLog();
    const throttle = createAuthThrottle({
      limit: 1,
      windowMs: 60_000,
      log: clock.log,
      now: clock.now,
      maxAddresses: 2,
    });
    throttle.failed('a');
    throttle.failed('b');
    throttle.failed('c');
    expect(
      refusal(() => {
        throttle.assertAllowed('a');
      }),
    ).toBeUndefined();
    expect(
      refusal(() => {
        throttle.assertAllowed('c');
      })?.code,
    ).toBe('FLOW-1489-429');
    throttle.close();
  });
});

describe('the gateway rate-limits failed authentications', () => {
  let t: TestSluice;
  beforeAll(async () => {
    t = await startTestSluice({
      env: { SLUICE_AUTH_FAILURE_LIMIT: '3', SLUICE_AUTH_FAILURE_WINDOW_MS: '60000' },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const from = (remoteAddress: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: '/data/foundation/flowservice/connections', headers, remoteAddress });

  it('answers 429 with Retry-After after three bad tokens, for that address only, and logs it', async () => {
    const bad = t.headers({ authorization: 'Bearer slt_guess.guess' });
    for (let index = 0; index < 3; index += 1) expect((await from('192.0.2.10', bad)).statusCode).toBe(401);
    const blocked = await from('192.0.2.10', bad);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toContain('application/problem+json');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(50);
    expect(blocked.body).toContain('FLOW-1489-429');
    // Even good credentials wait: a blocked address gets no further answers about credentials.
    expect((await from('192.0.2.10', t.headers())).statusCode).toBe(429);
    expect((await from('192.0.2.11', t.headers())).statusCode).toBe(200);
    const lines = t.logs.filter((line) => line.includes('client address blocked'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ client: '192.0.2.10', failures: 3 });
    expect(t.logs.join('\n')).not.toContain('slt_guess');
  });

  it('does not count missing credentials as failed guesses', async () => {
    for (let index = 0; index < 5; index += 1) {
      expect((await from('192.0.2.20', t.headers({ authorization: undefined }))).statusCode).toBe(403);
    }
    expect((await from('192.0.2.20', t.headers())).statusCode).toBe(200);
  });

  it('counts invalid API keys', async () => {
    const bad = t.headers({ 'x-api-key': 'slk_nope.nope' });
    for (let index = 0; index < 3; index += 1) expect((await from('192.0.2.30', bad)).statusCode).toBe(403);
    expect((await from('192.0.2.30', bad)).statusCode).toBe(429);
  });
});
