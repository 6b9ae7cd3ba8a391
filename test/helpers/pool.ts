/**
 * Maps `items` through `fn` with at most `width` calls in flight, results in input order. End-to-end
 * tests use it to overlap independent spawned syncs (each against its own fake API and files): a sync
 * spends much of its time waiting on its child process and on loopback I/O.
 */
export async function mapPool<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}
