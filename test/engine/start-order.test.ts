import t from 'tap';
import { isPlanned } from '../../src/engine/plan.js';
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

t.test('incremental: every stream a plan reads starts before any planned stream, descendants of planned streams after them', async (t) => {
  // The sync's one plan waits for the parents and hint sources of every planned stream: a planned stream
  // holding a slot before one of those has started can leave every slot waiting (found on a read of every
  // stream in incremental mode at max_concurrency 4: four planned parents of grandchildren hung).
  const jobs = STREAMS.filter((def) => !def.transport).map((def) => ({ ...job(def.name), mode: 'incremental' as const }));
  const order = startOrder(jobs);
  const planned = order.filter(isPlanned).map((j) => j.def.name);
  t.ok(planned.length > 30, `${planned.length} planned streams`);
  const firstPlanned = order.findIndex(isPlanned);
  const lastPlanned = order.map((j) => isPlanned(j)).lastIndexOf(true);
  for (const [index, entry] of order.entries()) {
    if (isPlanned(entry)) continue;
    const underPlanned = (() => {
      for (let link = entry.def.parent; link; link = findStream(link.stream)?.parent) if (planned.includes(link.stream)) return true;
      return false;
    })();
    if (underPlanned) t.ok(index > lastPlanned, `${entry.def.name} (below a planned stream) after every planned stream`);
    else t.ok(index < firstPlanned, `${entry.def.name} before every planned stream`);
  }
});
