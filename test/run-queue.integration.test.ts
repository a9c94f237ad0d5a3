/**
 * The run queue contract (src/store/queue/run-queue.ts), one suite over both engines: `local` on SQLite
 * and on PostgreSQL, `pg-boss` on PostgreSQL. Two independent store + queue instances on one database
 * stand in for two worker processes.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { createdMeta } from '../src/domain/entity.ts';
import { silentLogger } from '../src/domain/logger.ts';
import { ZERO_COUNTERS, transition, type Run } from '../src/domain/run.ts';
import { openStore, type Store, type StoreOptions } from '../src/store/db.ts';
import { migrations } from '../src/store/migrations/index.ts';
import { migrateToLatest } from '../src/store/migrator.ts';
import { openPgBossRunQueue } from '../src/store/queue/pg-boss-queue.ts';
import { createLocalRunQueue } from '../src/store/queue/local-queue.ts';
import type { RunQueue } from '../src/store/queue/run-queue.ts';
import { createRunRepository, type RunRepository } from '../src/store/run-repository.ts';
import type { Database } from '../src/store/schema.ts';
import { describeEachStore } from './support/stores.ts';

const actor = { orgId: 'org', sandboxId: 'sandbox', sandboxName: 'prod', userId: 'user', clientId: 'client' };

const newRun = (flowId: string, state: 'scheduled' | 'queued' = 'scheduled'): Run => {
  const now = Date.now();
  return {
    ...createdMeta(randomUUID(), actor, `"${randomUUID()}"`, now),
    flowId,
    flowSpec: { id: 'flow-spec', version: '1.0' },
    state,
    kind: 'onDemand',
    window: { start: null, end: now },
    scheduledAt: now - 1000,
    attempt: 0,
    counters: ZERO_COUNTERS,
    errors: [],
    sourceConnectionId: 'source',
    targetConnectionId: 'target',
  };
};

/** One "process": a store of its own on the shared database, its run repository and its queue. */
interface Node {
  readonly store: Store<Database>;
  readonly runs: RunRepository;
  readonly queue: RunQueue;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

type Engine = 'local' | 'pg-boss';

async function openNode(options: StoreOptions, engine: Engine, leaseMs: number): Promise<Node> {
  const store = await openStore<Database>(options);
  const runs = createRunRepository(store.db);
  const settings = { leaseMs, now: Date.now };
  const queue =
    engine === 'local'
      ? createLocalRunQueue(runs, settings)
      : await openPgBossRunQueue(runs, {
          ...settings,
          connectionString: options.kind === 'postgres' ? options.url : '',
          schema: `${options.kind === 'postgres' ? (options.schema ?? 'public') : ''}q`,
          monitorMs: 1000,
          log: silentLogger,
        });
  cleanups.push(async () => {
    await queue.close();
    await store.close();
  });
  return { store, runs, queue };
}

/** Inserts `run` (scheduled, holding its flow's slot) and enqueues it, in one transaction. */
async function schedule(node: Node, run: Run): Promise<boolean> {
  return node.runs.transaction(async (trx) => {
    if (!(await node.runs.insertIfNoActive(run, trx))) return false;
    await node.queue.enqueue(run, trx);
    return true;
  });
}

async function claimWithin(node: Node, workerId: string, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const claim = await node.queue.claim(workerId);
    if (claim || Date.now() > deadline) return claim;
    await sleep(200);
  }
}

const engines: { engine: Engine; dialects: ('sqlite' | 'postgres')[] }[] = [
  { engine: 'local', dialects: ['sqlite', 'postgres'] },
  { engine: 'pg-boss', dialects: ['postgres'] },
];

for (const { engine, dialects } of engines) {
  describeEachStore(
    `run queue (${engine})`,
    (ctx) => {
      // pg-boss counts heartbeats in whole seconds, at least 10.
      const leaseMs = engine === 'pg-boss' ? 10_000 : 1_000;
      const open = async () => {
        const options = await ctx.freshOptions();
        const first = await openNode(options, engine, leaseMs);
        await migrateToLatest(first.store, migrations);
        if (options.kind === 'postgres')
          cleanups.unshift(async () => {
            const admin = await openStore<Database>({ kind: 'postgres', url: options.url });
            await sql.raw(`drop schema if exists "${options.schema ?? ''}q" cascade`).execute(admin.db);
            await admin.close();
          });
        return { first, second: () => openNode(options, engine, leaseMs) };
      };

      it('hands each due run to exactly one of two concurrent workers', async () => {
        const { first, second } = await open();
        const other = await second();
        const ids = new Set<string>();
        for (let index = 0; index < 12; index += 1) {
          const run = newRun(`flow-${String(index)}`);
          expect(await schedule(first, run)).toBe(true);
          ids.add(run.id);
        }
        const claimed: string[] = [];
        const drain = async (node: Node, worker: string) => {
          for (;;) {
            const claim = await node.queue.claim(worker);
            if (!claim) return;
            expect(claim.run).toMatchObject({ state: 'inProgress', attempt: 1 });
            claimed.push(claim.run.id);
          }
        };
        await Promise.all([drain(first, 'A'), drain(other, 'B')]);
        expect(claimed.sort()).toEqual([...ids].sort());
        expect(await first.queue.stats()).toMatchObject({ engine, active: 12, waiting: 0 });
      });

      it('keeps one run per flow: a queued run waits, becomes due when the current one settles', async () => {
        const { first } = await open();
        const current = newRun('flow');
        expect(await schedule(first, current)).toBe(true);
        // A second run holding the same slot is refused; one behind it is queued.
        expect(await schedule(first, newRun('flow'))).toBe(false);
        const next = newRun('flow', 'queued');
        await first.runs.insertQueued(next);
        // A duplicate job for the current run (pg-boss: two jobs of one key) must never run it twice.
        await first.runs.transaction((trx) => first.queue.enqueue(current, trx));

        const claim = await first.queue.claim('A');
        expect(claim?.run.id).toBe(current.id);
        expect(await first.queue.claim('B')).toBeUndefined();
        expect(await first.queue.stats()).toMatchObject({ queued: 1, active: 1 });

        const ended = transition(claim!.run, 'success', Date.now());
        expect(await first.runs.transaction((trx) => first.queue.settle(claim!, ended, trx))).toBe(true);
        expect((await first.runs.getById(next.id))?.state).toBe('scheduled');
        const following = await first.queue.claim('B');
        expect(following?.run).toMatchObject({ id: next.id, attempt: 1 });
        // The duplicate job of the first run found it ended and did nothing.
        expect(await first.queue.claim('C')).toBeUndefined();
        expect((await first.runs.getById(current.id))?.state).toBe('success');
      });

      it('gives a run whose heartbeat stopped to another worker; the old claim can no longer write', async () => {
        const { first, second } = await open();
        const other = await second();
        const run = newRun('flow');
        await schedule(first, run);
        const mine = await first.queue.claim('A');
        expect(mine?.run.attempt).toBe(1);
        expect(await other.queue.claim('B')).toBeUndefined();

        // A stops heartbeating (crashed); after the lease, B takes the run over.
        const started = Date.now();
        const theirs = await claimWithin(other, 'B', leaseMs * 3 + 5_000);
        expect(theirs?.run).toMatchObject({ id: run.id, state: 'inProgress', attempt: 2 });
        expect(Date.now() - started).toBeGreaterThanOrEqual(leaseMs - 1500);
        expect(await first.queue.heartbeat(mine!, mine!.run)).toBe(false);
        expect(await other.queue.heartbeat(theirs!, theirs!.run)).toBe(true);
      }, 60_000);

      it("rolls a stale worker's commit back; the new holder's commit lands", async () => {
        const { first, second } = await open();
        const other = await second();
        const run = newRun('flow');
        await schedule(first, run);
        const mine = (await first.queue.claim('A'))!;
        const theirs = (await claimWithin(other, 'B', leaseMs * 3 + 5_000))!;
        expect(theirs.run.attempt).toBe(2);

        // A's commit: a marker row and the run's end in one transaction, which settle refuses.
        const marker = {
          id: `marker-${randomUUID()}`,
          host: 'h',
          pid: 1,
          concurrency: 1,
          started_at: 0,
          seen_at: 0,
          runs: '[]',
        };
        const rollback = new Error('rollback');
        const late = await first.runs
          .transaction(async (trx) => {
            await trx.insertInto('workers').values(marker).execute();
            if (!(await first.queue.settle(mine, transition(mine.run, 'success', Date.now()), trx)))
              throw rollback;
            return 'committed';
          })
          .catch((error: unknown) => (error === rollback ? 'rolled back' : Promise.reject(error as Error)));
        expect(late).toBe('rolled back');
        expect(
          await first.store.db.selectFrom('workers').select('id').where('id', '=', marker.id).execute(),
        ).toEqual([]);
        expect((await first.runs.getById(run.id))?.state).toBe('inProgress');

        const final = transition(theirs.run, 'success', Date.now());
        expect(await other.runs.transaction((trx) => other.queue.settle(theirs, final, trx))).toBe(true);
        expect(await first.runs.getById(run.id)).toMatchObject({ state: 'success', attempt: 2 });
      }, 60_000);

      it('hands a run back on a graceful stop; another worker claims it at once', async () => {
        const { first, second } = await open();
        const other = await second();
        const run = newRun('flow');
        await schedule(first, run);
        const mine = (await first.queue.claim('A'))!;
        expect(await first.queue.release(mine, mine.run)).toBe(true);
        const started = Date.now();
        const theirs = await claimWithin(other, 'B', 5_000);
        expect(theirs?.run).toMatchObject({ id: run.id, attempt: 2 });
        expect(Date.now() - started).toBeLessThan(leaseMs);
        expect(await first.queue.heartbeat(mine, mine.run)).toBe(false);
      }, 30_000);

      // Two writers in one process block each other on SQLite (node:sqlite waits for the lock
      // synchronously); its two-process case is src/store/sqlite-driver.integration.test.ts.
      if (ctx.dialect !== 'sqlite')
        it('never lets two schedulers give one flow two current runs', async () => {
          const { first, second } = await open();
          const other = await second();
          for (let round = 0; round < 5; round += 1) {
            const flowId = `flow-${String(round)}`;
            const results = await Promise.all([
              schedule(first, newRun(flowId)),
              schedule(other, newRun(flowId)),
            ]);
            expect(results.filter(Boolean)).toHaveLength(1);
            expect((await first.runs.pendingForFlow(flowId)).length).toBe(1);
          }
        });

      if (engine === 'pg-boss') {
        it('sends a new job for an active run whose job was lost', async () => {
          const { first } = await open();
          const run = newRun('flow');
          await schedule(first, run);
          // Lose the job (as pg-boss does when it fails a job for good) and age the run's row.
          await sql
            .raw(`delete from "${first.store.schema ?? 'public'}q".job where data->>'runId' = '${run.id}'`)
            .execute(first.store.db);
          await first.store.db.updateTable('runs').set({ updated_at: 0 }).where('id', '=', run.id).execute();
          expect(await first.queue.claim('A')).toBeUndefined();
          expect(await first.queue.reconcile()).toBe(1);
          expect((await first.queue.claim('A'))?.run.id).toBe(run.id);
        });
      }
    },
    { dialects },
  );
}
