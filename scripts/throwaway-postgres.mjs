// A throwaway PostgreSQL cluster for the tests: a fresh data directory in a temp folder, a free
// port on 127.0.0.1, trust authentication for the `postgres` role, and durability switched off
// for speed. `stop()` shuts it down and deletes the folder.
//
//   import { startThrowawayPostgres } from './throwaway-postgres.mjs';
//   const pg = await startThrowawayPostgres({ log: console.log }); // undefined: no PostgreSQL here
//   ... pg.url ...  // postgres://postgres@127.0.0.1:PORT/postgres
//   await pg.stop();
//
// As a command (`pnpm pg:throwaway`): starts one, prints its URL and keeps it until Ctrl-C/SIGTERM.
//
// Binaries: $PG_BIN, else the newest /usr/lib/postgresql/*/bin (Debian's `postgresql`), else the
// directory of `pg_ctl` on PATH. The server refuses to run as root, so as root the cluster is
// owned by, and run as, the `postgres` user (via runuser).
import { execFile } from 'node:child_process';
import { accessSync, appendFileSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEBIAN_ROOT = '/usr/lib/postgresql';

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasServerBinaries(dir) {
  return ['pg_ctl', 'initdb', 'postgres'].every((name) => isExecutable(join(dir, name)));
}

/**
 * The directory holding pg_ctl, initdb and postgres, or undefined when there is none.
 * An explicit $PG_BIN that lacks them is an error rather than a silent skip.
 */
export function findPostgresBin(env = process.env) {
  if (env.PG_BIN) {
    const dir = resolve(env.PG_BIN);
    if (!hasServerBinaries(dir)) throw new Error(`PG_BIN=${env.PG_BIN} does not contain pg_ctl, initdb and postgres`);
    return dir;
  }
  if (existsSync(DEBIAN_ROOT)) {
    const versions = readdirSync(DEBIAN_ROOT)
      .filter((v) => /^\d+(\.\d+)?$/.test(v) && hasServerBinaries(join(DEBIAN_ROOT, v, 'bin')))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    if (versions[0]) return join(DEBIAN_ROOT, versions[0], 'bin');
  }
  for (const entry of (env.PATH ?? '').split(delimiter)) {
    if (!entry) continue;
    const pgCtl = join(entry, 'pg_ctl');
    if (!isExecutable(pgCtl)) continue;
    // Follow a symlink (e.g. /usr/local/bin/pg_ctl -> /usr/lib/postgresql/15/bin/pg_ctl) to
    // where initdb and postgres live; fall back to the PATH entry itself.
    for (const dir of [dirname(realpathSync(pgCtl)), entry]) if (hasServerBinaries(dir)) return dir;
  }
  return undefined;
}

/** A port nobody listens on right now (the kernel's pick for port 0). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function run(file, args, options) {
  return new Promise((resolveRun, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024, ...options }, (error, stdout, stderr) => {
      if (error) {
        error.message = `${[file, ...args].join(' ')} failed: ${String(stderr || stdout || error.message).trim()}`;
        reject(error);
      } else resolveRun(stdout);
    });
  });
}

/** uid and gid of the `postgres` user, from /etc/passwd. */
function postgresUser() {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error("running as root, but there is no 'postgres' user to run the server as (Debian's postgresql package creates it)");
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function readLog(file) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n');
  } catch {
    return '(no server log)';
  }
}

/**
 * Starts a throwaway cluster and resolves to `{ url, stop, dir, port, bin }`, or to undefined when
 * no PostgreSQL binaries are installed. Rejects if they are installed but the cluster won't start.
 */
export async function startThrowawayPostgres({ log = () => {} } = {}) {
  const bin = findPostgresBin();
  if (!bin) return undefined;

  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? postgresUser() : undefined;
  // As root every command runs as `postgres`; runuser keeps the environment but not root's rights.
  const pg = (name, args) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args], { cwd: dir }) : run(join(bin, name), args, { cwd: dir });

  const dir = mkdtempSync(join(tmpdir(), 'throwaway-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'log');
  let started = false;
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    if (owner) chownSync(dir, owner.uid, owner.gid);
    await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    // Settings go in the file rather than on the command line, so the folder's path needs no quoting.
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        '',
        '# throwaway-postgres.mjs',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir.replaceAll("'", "''")}'`,
        'max_connections = 200',
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );

    // Another process may take the free port between our check and the server's bind: try again.
    let port;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await pg('pg_ctl', ['-D', data, '-l', logFile, '-o', `-p ${port}`, '-w', '-t', '60', 'start']);
        started = true;
        break;
      } catch (error) {
        const serverLog = readLog(logFile);
        if (attempt < 3 && /address already in use|could not bind/i.test(serverLog)) continue;
        error.message += `\nserver log:\n${serverLog}`;
        throw error;
      }
    }

    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    log(`throwaway PostgreSQL (${bin}) at ${url}, data in ${dir}`);

    let stopping;
    const stop = () =>
      (stopping ??= (async () => {
        try {
          await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
        } catch {
          await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']).catch(() => {});
        }
        remove();
        log(`throwaway PostgreSQL at ${url} stopped and removed`);
      })());
    return { url, port, dir, bin, stop };
  } catch (error) {
    if (started) await pg('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
    remove();
    throw error;
  }
}

// As a command: start one, print its URL, and stop it on SIGINT/SIGTERM.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = (line) => console.error(`throwaway-postgres: ${line}`);
  let pg;
  try {
    pg = await startThrowawayPostgres({ log });
  } catch (error) {
    log(error.message);
    process.exit(1);
  }
  if (!pg) {
    log("no PostgreSQL binaries (set PG_BIN, or install Debian's postgresql: sudo apt-get install postgresql)");
    process.exit(1);
  }
  console.log(pg.url);
  log('Ctrl-C to stop it and delete its data');
  const keepAlive = setInterval(() => {}, 1 << 30);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      clearInterval(keepAlive);
      pg.stop().then(
        () => process.exit(0),
        (error) => {
          log(error.message);
          process.exit(1);
        },
      );
    });
  }
}
