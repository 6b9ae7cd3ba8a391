import t from 'tap';
import { DEFAULT_TOKENS, startFakeApi } from '../../fake-api/server.js';

/** DigitalOcean lists GPU Droplets only with type=gpus, and leaves them out of the plain list. */
t.test('GPU Droplets are a separate part of the Droplet list', async (t) => {
  const api = await startFakeApi({ seed: 1, scale: 10, rateLimits: false, gpuDropletEvery: 4 });
  t.teardown(() => api.close());
  const get = async (query: string) => {
    const response = await fetch(`${api.url}/v2/droplets?per_page=200${query}`, { headers: { Authorization: `Bearer ${DEFAULT_TOKENS.readOnly}` } });
    return (await response.json()) as { droplets: { id: number; size_slug: string }[]; meta: { total: number } };
  };
  const plain = await get('');
  const gpus = await get('&type=gpus');
  t.equal(plain.meta.total, 8, 'the plain list leaves the GPU Droplets out');
  t.equal(gpus.meta.total, 2, 'type=gpus lists only them');
  t.ok(gpus.droplets.every((d) => d.size_slug.startsWith('gpu-')), 'GPU sizes');
  t.ok(plain.droplets.every((d) => !d.size_slug.startsWith('gpu-')), 'no GPU size in the plain list');
  const all = new Set([...plain.droplets, ...gpus.droplets].map((d) => d.id));
  t.equal(all.size, api.account.count('droplets'), 'together they are every Droplet, once');
  const none = await startFakeApi({ seed: 1, scale: 10, rateLimits: false });
  t.teardown(() => none.close());
  t.equal(none.account.count('droplets'), 10, 'by default there is no GPU Droplet');
});
