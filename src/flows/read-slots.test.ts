import { describe, expect, it } from 'vitest';
import { mergeStreams } from './read-ahead.ts';
import { createReadSlots, holdingSlot } from './read-slots.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function* numbers(from: number, count: number, pause = false): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) {
    if (pause) await tick();
    yield from + i;
  }
}

describe('read slots', () => {
  it('holds at most the capacity, hands slots over in order, and lets an aborted wait go', async () => {
    const slots = createReadSlots(2);
    const signal = new AbortController().signal;
    const a = await slots.acquire(signal);
    const b = await slots.acquire(signal);
    expect(slots.held).toBe(2);
    const order: string[] = [];
    const c = slots.acquire(signal).then((release) => (order.push('c'), release));
    const cancel = new AbortController();
    const d = slots.acquire(cancel.signal);
    const e = slots.acquire(signal).then((release) => (order.push('e'), release));
    cancel.abort(new Error('run stopped'));
    await expect(d).rejects.toThrow('run stopped');
    a();
    a(); // releasing twice gives back one slot only
    const releaseC = await c;
    expect(slots.held).toBe(2);
    b();
    const releaseE = await e;
    expect(order).toEqual(['c', 'e']);
    releaseC();
    releaseE();
    expect(slots.held).toBe(0);
  });

  it('a stream takes its slot at its first pull and gives it back when it ends or stops early', async () => {
    const slots = createReadSlots(1);
    const signal = new AbortController().signal;
    const stream = holdingSlot(slots, signal, numbers(0, 3));
    expect(slots.held).toBe(0);
    const seen: number[] = [];
    for await (const n of stream) {
      seen.push(n);
      expect(slots.held).toBe(1);
      if (n === 1) break;
    }
    expect(seen).toEqual([0, 1]);
    expect(slots.held).toBe(0);
  });
});

describe('mergeStreams', () => {
  it('yields every item of every source exactly once', async () => {
    const merged: number[] = [];
    for await (const n of mergeStreams([
      numbers(0, 50, true),
      numbers(100, 7),
      numbers(200, 0),
      numbers(300, 20, true),
    ]))
      merged.push(n);
    expect(merged.sort((x, y) => x - y)).toEqual([
      ...Array.from({ length: 50 }, (_, i) => i),
      ...Array.from({ length: 7 }, (_, i) => 100 + i),
      ...Array.from({ length: 20 }, (_, i) => 300 + i),
    ]);
  });

  it('ends with the first failure and releases the other sources', async () => {
    let released = false;
    async function* endless(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) {
          await tick();
          yield i;
        }
      } finally {
        released = true;
      }
    }
    async function* failing(): AsyncGenerator<number> {
      await tick();
      yield -1;
      await tick();
      throw new Error('source dropped');
    }
    const seen: number[] = [];
    const consume = async (): Promise<void> => {
      for await (const n of mergeStreams([endless(), failing()])) seen.push(n);
    };
    await expect(consume()).rejects.toThrow('source dropped');
    expect(seen).toContain(-1);
    await tick();
    await tick();
    expect(released).toBe(true);
  });
});
