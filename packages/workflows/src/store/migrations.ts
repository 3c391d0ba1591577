/**
 * The case store's schema, as numbered migrations, each written for SQLite and for PostgreSQL.
 * SQLite counts those applied in `PRAGMA user_version`, PostgreSQL in `schema_version`; opening
 * a database applies the rest under a lock (SQLite's write lock, a PostgreSQL advisory lock), so
 * instances starting together migrate once.
 */
export interface Migration {
  readonly sqlite: string;
  readonly postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  /* 1: schools, staff, pupils, cases, deadlines, outbox, audit log */
  {
    sqlite: `
  CREATE TABLE schools (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL
  ) STRICT;

  CREATE TABLE calendars (
    school_id TEXT NOT NULL REFERENCES schools(id),
    academic_year TEXT NOT NULL,
    spec TEXT NOT NULL,
    PRIMARY KEY (school_id, academic_year)
  ) STRICT;

  CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('headteacher', 'deputy', 'senco', 'inclusion-officer', 'admin')),
    teams_aad_id TEXT UNIQUE,
    slack_user_id TEXT,
    slack_team_id TEXT,
    UNIQUE (slack_team_id, slack_user_id)
  ) STRICT;

  -- The schools a member of staff covers (a head: theirs; an inclusion officer: the council's or trust's).
  CREATE TABLE staff_schools (
    staff_id TEXT NOT NULL REFERENCES staff(id),
    school_id TEXT NOT NULL REFERENCES schools(id),
    PRIMARY KEY (staff_id, school_id)
  ) STRICT;

  -- Pseudonymous: the pupil-record/1 JSON the rules need, no names.
  CREATE TABLE pupils (
    id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    machine_version INTEGER NOT NULL,
    school_id TEXT NOT NULL REFERENCES schools(id),
    pupil_id TEXT NOT NULL,
    -- Opening from a trigger is idempotent: one case per pupil, trigger and period.
    open_key TEXT UNIQUE,
    rule_id TEXT,
    rule_version INTEGER,
    state TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'done')),
    snapshot TEXT NOT NULL,
    revision INTEGER NOT NULL,
    opened_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX cases_by_school ON cases (school_id, status);
  CREATE INDEX cases_by_pupil ON cases (pupil_id);

  CREATE TABLE deadlines (
    case_id TEXT NOT NULL REFERENCES cases(id),
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    due_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'fired', 'cancelled')),
    fired_at TEXT,
    PRIMARY KEY (case_id, key)
  ) STRICT;
  CREATE INDEX deadlines_pending ON deadlines (status, due_date);

  -- Side effects (messages to send) written with the transition, sent after commit.
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    case_id TEXT REFERENCES cases(id),
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at TEXT,
    last_error TEXT
  ) STRICT;
  CREATE INDEX outbox_unsent ON outbox (sent_at, next_attempt_at);

  -- Append-only and hash-chained: hash = sha256(prev_hash + canonical JSON of the row).
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    case_id TEXT,
    event TEXT,
    rule_id TEXT,
    rule_version INTEGER,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  ) STRICT;
  CREATE INDEX audit_by_case ON audit_log (case_id, seq);
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: record a correction as a new event'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
    postgres: `
  CREATE TABLE schools (
    id text PRIMARY KEY,
    name text NOT NULL
  );

  CREATE TABLE calendars (
    school_id text NOT NULL REFERENCES schools(id),
    academic_year text NOT NULL,
    spec text NOT NULL,
    PRIMARY KEY (school_id, academic_year)
  );

  CREATE TABLE staff (
    id text PRIMARY KEY,
    display_name text NOT NULL,
    role text NOT NULL CHECK (role IN ('headteacher', 'deputy', 'senco', 'inclusion-officer', 'admin')),
    teams_aad_id text UNIQUE,
    slack_user_id text,
    slack_team_id text,
    UNIQUE (slack_team_id, slack_user_id)
  );

  CREATE TABLE staff_schools (
    staff_id text NOT NULL REFERENCES staff(id),
    school_id text NOT NULL REFERENCES schools(id),
    PRIMARY KEY (staff_id, school_id)
  );

  CREATE TABLE pupils (
    id text PRIMARY KEY,
    school_id text NOT NULL REFERENCES schools(id),
    record text NOT NULL,
    updated_at text NOT NULL
  );

  CREATE TABLE cases (
    id text PRIMARY KEY,
    kind text NOT NULL,
    machine_version integer NOT NULL,
    school_id text NOT NULL REFERENCES schools(id),
    pupil_id text NOT NULL,
    open_key text UNIQUE,
    rule_id text,
    rule_version integer,
    state text NOT NULL,
    status text NOT NULL CHECK (status IN ('active', 'done')),
    snapshot text NOT NULL,
    revision integer NOT NULL,
    opened_at text NOT NULL,
    updated_at text NOT NULL
  );
  CREATE INDEX cases_by_school ON cases (school_id, status);
  CREATE INDEX cases_by_pupil ON cases (pupil_id);

  CREATE TABLE deadlines (
    case_id text NOT NULL REFERENCES cases(id),
    key text NOT NULL,
    label text NOT NULL,
    due_date text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'fired', 'cancelled')),
    fired_at text,
    PRIMARY KEY (case_id, key)
  );
  CREATE INDEX deadlines_pending ON deadlines (status, due_date);

  CREATE TABLE outbox (
    id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    case_id text REFERENCES cases(id),
    idempotency_key text NOT NULL UNIQUE,
    kind text NOT NULL,
    payload text NOT NULL,
    created_at text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at text NOT NULL,
    sent_at text,
    last_error text
  );
  CREATE INDEX outbox_unsent ON outbox (sent_at, next_attempt_at);

  CREATE TABLE audit_log (
    seq integer PRIMARY KEY,
    at text NOT NULL,
    actor text NOT NULL,
    role text NOT NULL,
    action text NOT NULL,
    case_id text,
    event text,
    rule_id text,
    rule_version integer,
    data text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
  );
  CREATE INDEX audit_by_case ON audit_log (case_id, seq);
  CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit log is append-only: record a correction as a new event'; END $$;
  CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
  CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
  `,
  },
  /* 2: how staff are reached in each channel, and which outbox messages each channel has delivered */
  {
    sqlite: `
  -- A channel's address for a member of staff: a Teams conversation reference, a Slack DM channel.
  CREATE TABLE staff_addresses (
    staff_id TEXT NOT NULL REFERENCES staff(id),
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (staff_id, channel)
  ) STRICT;

  -- One row per message, channel and recipient delivered: a retried message skips those already sent.
  CREATE TABLE deliveries (
    outbox_id INTEGER NOT NULL REFERENCES outbox(id),
    channel TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (outbox_id, channel, staff_id)
  ) STRICT;
  `,
    postgres: `
  CREATE TABLE staff_addresses (
    staff_id text NOT NULL REFERENCES staff(id),
    channel text NOT NULL,
    address text NOT NULL,
    updated_at text NOT NULL,
    PRIMARY KEY (staff_id, channel)
  );

  CREATE TABLE deliveries (
    outbox_id integer NOT NULL REFERENCES outbox(id),
    channel text NOT NULL,
    staff_id text NOT NULL,
    sent_at text NOT NULL,
    PRIMARY KEY (outbox_id, channel, staff_id)
  );
  `,
  },
  /* 3: the outbox names its school, and is worked under leases, so several instances never send one message twice */
  {
    sqlite: `
  ALTER TABLE outbox ADD COLUMN school_id TEXT;
  UPDATE outbox SET school_id = json_extract(payload, '$.schoolId');
  -- Which instance is sending a message, until when: another takes it over only once the lease has run out.
  ALTER TABLE outbox ADD COLUMN lease_holder TEXT;
  ALTER TABLE outbox ADD COLUMN lease_until TEXT;
  CREATE INDEX outbox_by_school ON outbox (kind, school_id, sent_at);

  -- Work one instance does at a time (the rules' evaluation): who holds it, until when.
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until TEXT NOT NULL
  ) STRICT;
  `,
    postgres: `
  ALTER TABLE outbox ADD COLUMN school_id text;
  UPDATE outbox SET school_id = payload::jsonb ->> 'schoolId';
  ALTER TABLE outbox ADD COLUMN lease_holder text;
  ALTER TABLE outbox ADD COLUMN lease_until text;
  CREATE INDEX outbox_by_school ON outbox (kind, school_id, sent_at);

  CREATE TABLE leases (
    name text PRIMARY KEY,
    holder text NOT NULL,
    until text NOT NULL
  );
  `,
  },
  /* 4: the letters made for a case, kept with it */
  {
    sqlite: `
  -- The only place the names and addresses a head typed are kept: the letter's bytes and its people.
  -- Bytes as base64 text, so the store's one interface (strings and numbers) and the store copy carry them as they are.
  CREATE TABLE letters (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    school_id TEXT NOT NULL REFERENCES schools(id),
    kind TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('docx', 'pdf')),
    template_id TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    guidance TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    people TEXT NOT NULL,
    made_by TEXT NOT NULL,
    made_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX letters_by_case ON letters (case_id, made_at);
  `,
    postgres: `
  CREATE TABLE letters (
    id text PRIMARY KEY,
    case_id text NOT NULL REFERENCES cases(id),
    school_id text NOT NULL REFERENCES schools(id),
    kind text NOT NULL,
    format text NOT NULL CHECK (format IN ('docx', 'pdf')),
    template_id text NOT NULL,
    template_version integer NOT NULL,
    guidance text NOT NULL,
    file_name text NOT NULL,
    media_type text NOT NULL,
    sha256 text NOT NULL,
    content text NOT NULL,
    people text NOT NULL,
    made_by text NOT NULL,
    made_at text NOT NULL
  );
  CREATE INDEX letters_by_case ON letters (case_id, made_at);
  `,
  },
  /* 5: each pupil's data key (their free text is sealed with it; erasure destroys it), display names and a school's opt-in */
  {
    sqlite: `
  -- A pupil's data key, wrapped by the deployment key; NULL once erased (crypto-shredding: their sealed text is unreadable).
  CREATE TABLE pupil_keys (
    pupil_id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    wrapped_key TEXT,
    created_at TEXT NOT NULL,
    erased_at TEXT
  ) STRICT;

  -- Names a school chose to hold for its staff to see, sealed with the pupil's key: never in the audit trail or reports.
  CREATE TABLE pupil_names (
    pupil_id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    name TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX pupil_names_by_school ON pupil_names (school_id);

  -- Off until the school opts in: pseudonymous by default.
  ALTER TABLE schools ADD COLUMN display_names INTEGER NOT NULL DEFAULT 0 CHECK (display_names IN (0, 1));
  `,
    postgres: `
  CREATE TABLE pupil_keys (
    pupil_id text PRIMARY KEY,
    school_id text NOT NULL REFERENCES schools(id),
    wrapped_key text,
    created_at text NOT NULL,
    erased_at text
  );

  CREATE TABLE pupil_names (
    pupil_id text PRIMARY KEY,
    school_id text NOT NULL REFERENCES schools(id),
    name text NOT NULL,
    updated_at text NOT NULL
  );
  CREATE INDEX pupil_names_by_school ON pupil_names (school_id);

  ALTER TABLE schools ADD COLUMN display_names integer NOT NULL DEFAULT 0 CHECK (display_names IN (0, 1));
  `,
  },
  /* 6: where each school's next pull from its MIS starts, saved with the pull it came from */
  {
    sqlite: `
  CREATE TABLE mis_cursors (
    school_id TEXT NOT NULL REFERENCES schools(id),
    system TEXT NOT NULL,
    cursor TEXT NOT NULL,
    pulled_at TEXT NOT NULL,
    PRIMARY KEY (school_id, system)
  ) STRICT;
  `,
    postgres: `
  CREATE TABLE mis_cursors (
    school_id text NOT NULL REFERENCES schools(id),
    system text NOT NULL,
    cursor text NOT NULL,
    pulled_at text NOT NULL,
    PRIMARY KEY (school_id, system)
  );
  `,
  },
  /* 7: cases found by kind — the nurture caseload's check inside each place's write, the weekly list's support plans */
  {
    sqlite: `
  CREATE INDEX cases_by_kind ON cases (kind, status);
  `,
    postgres: `
  CREATE INDEX cases_by_kind ON cases (kind, status);
  `,
  },
];
