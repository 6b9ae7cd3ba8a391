import t from 'tap';
import { compileStripper } from '../../src/records/strip.js';

function strip(paths: string[], record: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(record);
  compileStripper(paths)(copy);
  return copy;
}

t.test('no paths: the record is untouched', async (t) => {
  const record = { a: { b: 1 }, c: [1, 2] };
  t.same(strip([], record), record);
});

t.test('a.b removes b inside a only', async (t) => {
  t.same(strip(['connection.password'], { connection: { password: 'p', host: 'h' }, password: 'top' }), {
    connection: { host: 'h' },
    password: 'top',
  });
  t.same(strip(['password'], { password: 'p', user: 'u' }), { user: 'u' });
  t.same(strip(['a.b.c'], { a: { b: { c: 1, d: 2 }, c: 3 } }), { a: { b: { d: 2 }, c: 3 } });
});

t.test('a[].b removes b in every element of the array a', async (t) => {
  t.same(
    strip(['users[].password'], { users: [{ name: 'x', password: 'p1' }, { name: 'y', password: 'p2' }, 'odd', null, [{ password: 'p3' }]] }),
    { users: [{ name: 'x' }, { name: 'y' }, 'odd', null, [{}]] },
  );
});

t.test('arrays are walked wherever they occur, even when the path does not say []', async (t) => {
  t.same(strip(['users.password'], { users: [{ password: 'p', name: 'n' }] }), { users: [{ name: 'n' }] });
  t.same(strip(['a.b.c'], { a: [{ b: [{ c: 1, d: 1 }, { c: 2 }] }, { b: { c: 3 } }] }), { a: [{ b: [{ d: 1 }, {}] }, { b: {} }] });
});

t.test('a..b removes every b at any depth below a, and nowhere else', async (t) => {
  t.same(
    strip(['config..secret'], {
      secret: 'top stays',
      config: { secret: 1, nested: { secret: 2, list: [{ secret: 3, keep: true }], deeper: { x: { secret: 4 } } } },
      other: { secret: 'stays' },
    }),
    {
      secret: 'top stays',
      config: { nested: { list: [{ keep: true }], deeper: { x: {} } } },
      other: { secret: 'stays' },
    },
  );
});

t.test('..b removes b anywhere in the record', async (t) => {
  t.same(
    strip(['..private_key'], { private_key: 1, a: { private_key: 2, b: [{ private_key: 3 }, [{ private_key: 4, k: 0 }]] } }),
    { a: { b: [{}, [{ k: 0 }]] } },
  );
});

t.test('..a.b removes b inside every a, at any depth, including an a nested in an a', async (t) => {
  t.same(
    strip(['..connection.password'], {
      connection: { password: 1, user: 'u' },
      replicas: [{ connection: { password: 2 } }],
      password: 'not in a connection',
      wrapper: { connection: { connection: { password: 3, host: 'h' } } },
    }),
    {
      connection: { user: 'u' },
      replicas: [{ connection: {} }],
      password: 'not in a connection',
      wrapper: { connection: { connection: { host: 'h' } } },
    },
  );
});

t.test('missing paths and values of the wrong type change nothing', async (t) => {
  const record = { a: 1, b: null, c: 'text', d: [1, 'x', null], e: {} };
  t.same(strip(['x.y', 'a.b', 'b.c', 'c.length', 'd[].z', 'e..q', '..nothing'], record), record);
});

t.test('several paths apply in one pass', async (t) => {
  t.same(strip(['connection.password', 'connection.uri', 'private_connection.password'], {
    connection: { password: 1, uri: 2, host: 3 },
    private_connection: { password: 4, uri: 5 },
  }), { connection: { host: 3 }, private_connection: { uri: 5 } });
});

t.test('the record is changed in place', async (t) => {
  const record: Record<string, unknown> = { secret: 1, keep: 2 };
  compileStripper(['secret'])(record);
  t.same(record, { keep: 2 });
});

t.test('malformed paths are refused when compiled', async (t) => {
  for (const path of ['', '.', '..', 'a.', 'a..']) t.throws(() => compileStripper([path]), /malformed/, JSON.stringify(path));
});

t.test('only own fields are stripped (no prototype lookups)', async (t) => {
  const record = { a: 1 };
  t.same(strip(['toString', 'constructor.name', '__proto__.x'], record), { a: 1 });
});
