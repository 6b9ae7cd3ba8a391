/**
 * Child lists the real API keeps equal to a list embedded in the parent, so that a derived row
 * (Freshness kind `derived`) and an exhaustive read agree here as they do on DigitalOcean: a cluster's
 * logical databases are its `db_names` (OpenAPI database_cluster.db_names, "the names of databases
 * created in the database cluster"; the dbs list's `database` objects hold only `name`).
 */
import type { Json, KindTable } from '../types.js';

function namesOf(record: Readonly<Record<string, Json>> | undefined): string[] {
  const names = record?.db_names;
  return Array.isArray(names) ? names.map(String) : [];
}

export const derivedKinds: KindTable = {
  database_dbs: {
    count: ({ parent }) => namesOf(parent?.record).length,
    make: ({ index, parent }) => ({ name: namesOf(parent?.record)[index] }),
  },
};
