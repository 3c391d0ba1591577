#!/usr/bin/env node
/**
 * `pnpm start`: the service, with settings from the environment (and `.env`). A setting it
 * cannot use stops it at once with a message naming the setting; SIGINT or SIGTERM stop it
 * gracefully, after the turns in flight.
 */
import { DatabaseUnavailable, InstanceRunning } from '@before-exclusion/workflows';
import { ConfigError, loadConfig } from './service/config.js';
import { createLogger, errorText } from './service/log.js';
import { startService } from './service/service.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : errorText(error)}\n`);
  process.exit(2);
}
const log = createLogger(config.LOG_LEVEL);
/** The longest a stop may take: requests in flight get 10 s, a send its timeout, the database its close. */
const STOP_WITHIN_MS = 20_000 + config.SEND_TIMEOUT_SECONDS * 1000;
const starting = startService(config, log).catch((error: unknown) => {
  // What the operator can fix (the database's path, another service on the file): their one line, no stack.
  if (error instanceof DatabaseUnavailable || error instanceof InstanceRunning) process.stderr.write(`could not start: ${error.message}\n`);
  else log.error('could not start', { error: errorText(error) });
  process.exit(1);
});
// Installed before the service is up, so a signal during start-up also stops it gracefully.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info(`${signal}: stopping after the requests in flight`);
    // close() is bounded (requests, then sends by their timeout); this is the backstop if anything still hangs.
    setTimeout(() => {
      log.error(`${signal}: still stopping after ${STOP_WITHIN_MS / 1000} s; exiting now`);
      process.exit(1);
    }, STOP_WITHIN_MS).unref();
    starting
      .then((service) => service.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error('stopping failed', { error: errorText(error) });
          process.exit(1);
        },
      );
  });
}
