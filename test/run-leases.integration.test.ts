/**
 * Run claims and leases on both store dialects, with two independent stores on one database standing
 * in for two runner processes: concurrent claims never hand one run to both, an expired lease can be
 * taken over, and the runner that lost it can neither renew it nor end the run.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createdMeta } from '../src/domain/entity.ts';
import { ZERO_COUNTERS, type Run } from '../src/domain/run.ts';
import { migrations } from '../src/store/migrations/index.ts';
import { createRunRepository } from '../src/store/run-repository.ts';
import type { Database } from '../src/store/schema.ts';
import { describeEachStore } from './support/stores.ts';

const actor = { orgId: 'org', sandboxId: 'sandbox', sandboxName: 'prod', userId: 'user', clientId: 'client' };

const scheduledRun = (flowId: string, now: number): Run => ({
  ...createdMeta(randomUUID(), actor, `"${randomUUID()}"`, now),
  flowId,
  flowSpec: { id: 'flow-spec', version: '1.0' },
  state: 'scheduled',
  kind: 'scheduled',
  window: { start: null, end: now },
  scheduledAt: now,
  attempt: 0,
  counters: ZERO_COUNTERS,
  errors: [],
  sourceConnectionId: 'source',
  targetConnectionId: 'target',
});

describeEachStore('run leases', (ctx) => {
  it('hands each run to exactly one of two concurrent claimers', async () => {
    const store = await ctx.open<Database>(migrations);
    const other = await ctx.reopen(store);
    const a = createRunRepository(store.db);
    const b = createRunRepository(other.db);
    const now = Date.now();
    const ids = new Set<string>();
    for (let index = 0; index < 12; index += 1) {
      const run = scheduledRun(`flow-${String(index)}`, now - 1000);
      expect(await a.insertIfNoActive(run)).toBe(true);
      ids.add(run.id);
    }
    const claimed: string[] = [];
    const claimAll = async (repository: typeof a, owner: string) => {
      for (;;) {
        const run = await repository.claimNext(owner, Date.now(), 60_000);
        if (!run) return;
        claimed.push(run.id);
      }
    };
    await Promise.all([claimAll(a, 'A'), claimAll(b, 'B')]);
    expect(claimed.sort()).toEqual([...ids].sort());
  });

  it('lets an expired lease be taken over; the old holder can neither renew it nor end the run', async () => {
    const store = await ctx.open<Database>(migrations);
    const other = await ctx.reopen(store);
    const a = createRunRepository(store.db);
    const b = createRunRepository(other.db);
    const now = Date.now();
    await a.insertIfNoActive(scheduledRun('flow', now - 1000));
    const mine = await a.claimNext('A', now, 1000);
    expect(mine).toMatchObject({ state: 'inProgress', attempt: 1 });
    expect(await b.claimNext('B', now + 500, 1000)).toBeUndefined();

    const theirs = await b.claimNext('B', now + 1001, 1000);
    expect(theirs).toMatchObject({ id: mine?.id, state: 'inProgress', attempt: 2 });
    if (!mine || !theirs) return;
    expect(await a.heartbeat(mine, 'A', now + 1002, 1000)).toBe(false);
    const success: Run = { ...mine, state: 'success', completedAt: now + 1003 };
    expect(await a.transaction((trx) => a.finish(success, 'A', now + 1003, trx))).toBe(false);
    expect((await b.getById(mine.id))?.state).toBe('inProgress');
    expect(await b.finish({ ...theirs, state: 'success' }, 'B', now + 1004)).toBe(true);
    expect(await b.getById(mine.id)).toMatchObject({ state: 'success', attempt: 2 });
  });
});
