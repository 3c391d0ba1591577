// For tests only (not built): another process holding a SQLite file's write lock, as a backup or a
// long command would. `node holdWriteLock.mjs FILE MS` takes BEGIN IMMEDIATE, prints "held", and
// lets go after MS milliseconds (or when killed). Here so the driver stays in the store's folder.
import BetterSqlite3 from 'better-sqlite3';

const [file, ms] = process.argv.slice(2);
const db = new BetterSqlite3(file);
db.exec('BEGIN IMMEDIATE');
console.log('held');
setTimeout(() => {
  db.exec('ROLLBACK');
  db.close();
}, Number(ms ?? 3_600_000));
