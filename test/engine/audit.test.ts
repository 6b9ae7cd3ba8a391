import t from 'tap';
import { auditDifference, describeDifference } from '../../src/engine/audit.js';
import { pickAudits } from '../../src/engine/plan.js';

const def = { primaryKey: ['droplet_id', 'id'] };

t.test('an audit compares derived and listed records by primary key and field', async (t) => {
  const listed = [{ droplet_id: 1, id: 'a', name: 'web', inbound_rules: [{ ports: '22' }] }];
  t.equal(auditDifference(def, [{ inbound_rules: [{ ports: '22' }], name: 'web', id: 'a', droplet_id: 1, _parent_listed_at: 'x' }], listed), undefined, 'field order and the listing time do not count');
  const changed = auditDifference(def, [{ droplet_id: 1, id: 'a', name: 'web', inbound_rules: [{ ports: '80' }] }], listed);
  t.same(changed, { fields: ['inbound_rules'], onlyDerived: 0, onlyListed: 0 });
  t.equal(describeDifference(changed!), "fields 'inbound_rules' differ");
  const missing = auditDifference(def, [{ droplet_id: 1, id: 'b', name: 'db' }], listed);
  t.same(missing, { fields: [], onlyDerived: 1, onlyListed: 1 });
  t.equal(describeDifference(missing!), '1 derived record(s) are not in the list; 1 listed record(s) were not derived');
});

t.test('audits rotate through the parents, hour by hour', async (t) => {
  const ids = Array.from({ length: 50 }, (_, i) => String(i));
  const seen = new Set<string>();
  for (let hour = 0; hour < 100; hour++) {
    const picked = pickAudits(ids, hour, 2);
    t.equal(new Set(picked).size, 2, `hour ${hour}: two parents`);
    t.same(pickAudits(ids, hour, 2), picked, 'the same for the same hour');
    for (const id of picked) seen.add(id);
  }
  t.ok(seen.size > 40, `most parents audited within 100 hours (${seen.size} of 50)`);
});
