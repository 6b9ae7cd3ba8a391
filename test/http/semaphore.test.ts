import t from 'tap';
import { Semaphore } from '../../src/http/semaphore.js';

t.test('never runs more than its capacity at once, and frees a slot on failure', async (t) => {
  const semaphore = new Semaphore(3);
  let active = 0;
  let peak = 0;
  const order: number[] = [];
  const task = (i: number) =>
    semaphore.run(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setImmediate(r));
      active--;
      order.push(i);
      if (i % 4 === 0) throw new Error(`task ${i} failed`);
      return i;
    });
  const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => task(i)));
  t.equal(peak, 3);
  t.equal(active, 0);
  t.equal(order.length, 12, 'every task ran, failures included');
  t.same(
    results.map((r) => r.status),
    Array.from({ length: 12 }, (_, i) => (i % 4 === 0 ? 'rejected' : 'fulfilled')),
  );
  t.equal((results[1] as PromiseFulfilledResult<number>).value, 1);
});
