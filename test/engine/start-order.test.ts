import t from 'tap';
import { startOrder } from '../../src/engine/read.js';
import type { StreamJob } from '../../src/engine/read-stream.js';
import { findStream, STREAMS } from '../../src/streams/index.js';
import type { StreamDef } from '../../src/streams/types.js';

const job = (name: string): StreamJob => ({ def: findStream(name) as StreamDef, mode: 'full_refresh', inputState: undefined });
const names = (jobs: readonly StreamJob[]): string[] => jobs.map((j) => j.def.name);

t.test('the longest chain starts first, then parents, then independent lists in catalog order', async (t) => {
  // A leaf list first in the catalog, a grandparent chain last: the chain's head must not wait behind the leaves.
  const order = names(startOrder(['ssh_keys', 'regions', 'droplets', 'droplet_backups', 'security_finding_affected_resources', 'security_scan_findings', 'security_scans'].map(job)));
  t.same(order, ['security_scans', 'droplets', 'security_scan_findings', 'ssh_keys', 'regions', 'droplet_backups', 'security_finding_affected_resources']);
});

t.test('in the whole catalogue no stream starts before its selected ancestors', async (t) => {
  const order = names(startOrder(STREAMS.map((def) => job(def.name))));
  t.equal(order.length, STREAMS.length, 'every stream once');
  t.equal(new Set(order).size, STREAMS.length);
  for (const def of STREAMS) {
    for (let link = def.parent; link; link = findStream(link.stream)?.parent) {
      t.ok(order.indexOf(link.stream) < order.indexOf(def.name), `${link.stream} before ${def.name}`);
    }
  }
});

t.test('among streams with nothing below them, top-level lists start before children, each in catalog order', async (t) => {
  // droplet_backups' parent is not selected: it is read silently through the child, which starts last.
  t.same(names(startOrder(['ssh_keys', 'droplet_backups', 'regions', 'app_deployments'].map(job))), ['ssh_keys', 'regions', 'droplet_backups', 'app_deployments']);
});
