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
  constructor(message: string) {
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
