/**
 * Opening the case store: one SQLite file (WAL, `synchronous=FULL` because a lost answer or
 * audit row matters), migrated on open.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/** The default database file, relative to the working directory. */
export const DEFAULT_DATABASE_PATH = 'data/cases.db';

/**
 * Opens (creating if need be) the case database at `path` and applies pending migrations.
 * @throws Error when the file was written by a newer version of this package.
 */
export function openDatabase(path: string = DEFAULT_DATABASE_PATH): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, path);
  return db;
}

function migrate(db: Db, path: string): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > MIGRATIONS.length) {
    db.close();
    throw new Error(`${path} has schema version ${applied}, newer than this program knows (${MIGRATIONS.length}); upgrade the program`);
  }
  if (applied === MIGRATIONS.length) return;
  db.transaction(() => {
    for (let v = applied; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
