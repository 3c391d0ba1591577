/** Errors a person can cause, each saying what happened and what would work instead. */

/** The case does not exist, or the actor may not see it: the same answer, so nothing leaks. */
export class CaseNotFound extends Error {
  constructor(id: string, what: 'case' | 'pupil' | 'letter' = 'case') {
    super(`no ${what} ${id} that you can see`);
    this.name = 'CaseNotFound';
  }
}

/** The event is malformed, or the case's state does not allow it now. */
export class EventRefused extends Error {
  /**
   * @param refused the payload field refused and the problem in words (without the event's
   *   name), for a form to show under that field.
   */
  constructor(
    message: string,
    readonly refused?: { readonly field: string; readonly problem: string },
  ) {
    super(message);
    this.name = 'EventRefused';
  }
}

/** The store will not do what was asked (copy into a non-empty database, back up PostgreSQL as a file…); the message says why and what to do instead. */
export class StoreRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreRefused';
  }
}

/** Someone else changed the case since it was read: read it again and retry. */
export class RevisionConflict extends Error {
  constructor(caseId: string, expected: number, actual: number) {
    super(`case ${caseId} changed since you read it (revision ${expected}, now ${actual}); read it again before acting`);
    this.name = 'RevisionConflict';
  }
}

/** The database cannot be opened for writing (read-only, or its file or folder cannot be made); the message names the path and what to do. */
export class DatabaseUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailable';
  }
}

/** Another process held the database's write lock for longer than the store waits: nothing was written; try again. */
export class StoreBusy extends Error {
  constructor(location: string, waitedMs: number) {
    super(`the case store (${location}) is busy: another process held its write lock for ${waitedMs} ms; nothing was saved, try again`);
    this.name = 'StoreBusy';
  }
}

/** A service is already running on this SQLite file; the message names it (host, pid, since). */
export class InstanceRunning extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstanceRunning';
  }
}
