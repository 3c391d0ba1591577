// Runs every vitest project and ends with one plain line, "N passed, N failed, N skipped",
// which CI reads as the test runner's summary.
//
// PostgreSQL: suites that need it read TEST_DATABASE_URL. When it is unset (and TEST_POSTGRES is
// not `off`), a throwaway cluster is started for the run (scripts/throwaway-postgres.mjs) and
// stopped afterwards; without PostgreSQL binaries those suites are skipped.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { startThrowawayPostgres } from './throwaway-postgres.mjs';

const report = 'test-results/vitest.json';
mkdirSync('test-results', { recursive: true });
rmSync(report, { force: true }); // a report left by an earlier run must not stand in for this one

// Installed first, so that an interruption at any point still stops the cluster. Ctrl-C reaches
// vitest (and any PostgreSQL tool running) through the terminal; a SIGTERM or SIGHUP sent to this
// process alone is passed on to vitest. Either way this process waits for vitest to exit.
let interrupted;
let vitest;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted ??= signal;
    if (signal !== 'SIGINT' && vitest && vitest.exitCode === null && vitest.signalCode === null) vitest.kill(signal);
  });
}

const env = { ...process.env };
let postgres;
if (env.TEST_DATABASE_URL) {
  console.log('PostgreSQL: the suites use TEST_DATABASE_URL');
} else if (env.TEST_POSTGRES === 'off') {
  delete env.TEST_DATABASE_URL;
  console.log('PostgreSQL: suites skipped (TEST_POSTGRES=off)');
} else {
  try {
    postgres = await startThrowawayPostgres({ log: (line) => console.log(`PostgreSQL: ${line}`) });
  } catch (error) {
    console.error(`PostgreSQL: the throwaway cluster did not start: ${error.message}`);
    if (!interrupted) console.error('PostgreSQL: fix that, point TEST_DATABASE_URL at a server, or set TEST_POSTGRES=off to skip those suites');
    console.log('\n0 passed, 1 failed (throwaway PostgreSQL did not start)');
    process.exit(1);
  }
  if (postgres) env.TEST_DATABASE_URL = postgres.url;
  else {
    delete env.TEST_DATABASE_URL;
    console.log("PostgreSQL: suites skipped — no PostgreSQL binaries (install Debian's postgresql, or set PG_BIN or TEST_DATABASE_URL)");
  }
}

let status = 1;
if (!interrupted) {
  vitest = spawn(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
    { stdio: 'inherit', env },
  );
  status = await new Promise((resolve) => {
    vitest.once('error', (error) => {
      console.error(`could not run vitest: ${error.message}`);
      resolve(1);
    });
    vitest.once('exit', (code) => resolve(code ?? 1));
  });
}

if (postgres) {
  try {
    await postgres.stop();
  } catch (error) {
    console.error(`PostgreSQL: could not stop the throwaway cluster in ${postgres.dir}: ${error.message}`);
  }
}

try {
  const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = JSON.parse(readFileSync(report, 'utf8'));
  console.log(`\n${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped`);
} catch {
  console.log('\n0 passed, 1 failed (vitest wrote no report)');
}
process.exit(status);
