/**
 * PostgreSQL for the suites. `pnpm test` (scripts/run-tests.mjs) starts a throwaway cluster and
 * sets TEST_DATABASE_URL, unless it is already set or TEST_POSTGRES=off; without PostgreSQL on
 * the machine it is unset and the PostgreSQL cases are skipped:
 *
 *   describe.each(backends())('%s store', (backend) => { ... });
 *   it.skipIf(!POSTGRES_URL)('...', async () => { const url = await freshDatabase('crash'); ... });
 *
 * No driver here: the database is created through the workflows package, as an operator would.
 */
import { randomBytes } from 'node:crypto';
import { createPostgresDatabase } from '../../packages/workflows/dist/index.js';

/** The server the suites may use (a maintenance database such as `postgres`), or undefined. */
export const POSTGRES_URL: string | undefined = process.env.TEST_DATABASE_URL || undefined;

export type Backend = 'sqlite' | 'postgres';

/** The stores to run a suite against: SQLite always, PostgreSQL when there is a server. */
export function backends(): Backend[] {
  return POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

/**
 * Creates an empty database `<prefix>_<random hex>` on the TEST_DATABASE_URL server and returns
 * its URL (same host, port, user and options). With the throwaway cluster the databases go when
 * the cluster does; on a server of your own they stay.
 */
export async function freshDatabase(prefix = 't'): Promise<string> {
  if (!POSTGRES_URL) throw new Error('freshDatabase: TEST_DATABASE_URL is not set (no PostgreSQL for the tests)');
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`freshDatabase: prefix must be lower-case letters, digits and _ (at most 41): ${prefix}`);
  return createPostgresDatabase(POSTGRES_URL, `${prefix}_${randomBytes(8).toString('hex')}`);
}
