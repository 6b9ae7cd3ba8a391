import t from 'tap';
import { digestOf, ParentDigests } from '../../src/state/parent-digests.js';

t.test('digests: stable, sensitive to the hint, and only the settled ones are written', async (t) => {
  t.equal(digestOf([1, 2]), digestOf([1, 2]));
  t.not(digestOf([1, 2]), digestOf([1, 2, 3]), 'a new id changes the digest');
  t.not(digestOf([]), digestOf(null));
  const d = new ParentDigests({ parent_digests: { a: digestOf([1]), b: digestOf([2]), bad: 7 } });
  t.ok(d.unchanged('a', digestOf([1])));
  t.notOk(d.unchanged('b', digestOf([2, 3])));
  t.notOk(d.unchanged('bad', '7'), 'a malformed entry is ignored: that parent is read');
  t.equal(d.toState(), undefined, 'nothing settled, nothing written');
  d.settle('a', digestOf([1]));
  t.same(d.toState(), { a: digestOf([1]) }, 'parents not seen this sync are dropped');
  t.equal(new ParentDigests({ parent_digests: [] }).unchanged('a', 'x'), false);
});
