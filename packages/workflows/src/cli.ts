#!/usr/bin/env node
/**
 * `cases` — the case store from the command line: import pupils, open cases from the rules,
 * list and show cases, act on them, verify the audit trail, report the figures, and fire due
 * deadlines. Reading and acting commands run as a member of staff (`--as`), with the same
 * access rules as every other channel.
 *
 * Exit codes: 0 done · 2 bad input, refused or not allowed · 3 audit verification failed · 1 other failure.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { duplicateKey, formatProblem, identifier, InputError, isIsoDate, OutsideCalendarError, parseJsonText, quoted, type Problem } from '@before-exclusion/rules';
import { loadCalendarFile, loadRulePackFile } from '@before-exclusion/rules/node';
import { z } from 'zod';
import { AccessDenied, PUPIL_MOVE_REASONS, SYSTEM } from './access.js';
import { caseSummary, describeState, overdueDeadlines, type CaseView } from './cases/caseService.js';
import { englishDate, type Clock } from './clock.js';
import { CaseNotFound, EventRefused, RevisionConflict, StoreRefused } from './errors.js';
import { CASE_KINDS, type CaseKind } from './machines/caseDefinition.js';
import { caseRecord } from './cases/caseRecord.js';
import { caseRecordLines } from './cases/caseRecordText.js';
import { openByHand } from './cases/openByHand.js';
import { loadQuestionSet } from './cases/peapQuestions.js';
import { parseLetterPeople } from './letters/composeLetter.js';
import { loadLetterOverrides } from './letters/letterOverrides.js';
import { LetterRefused } from './letters/letterRefused.js';
import { LETTER_KINDS } from './letters/letterTemplates.js';
import { makeLetter } from './letters/makeLetter.js';
import { evaluateStoredPupils } from './cases/openCases.js';
import { academicYearStart, choosePeriod, type PeriodChoice } from './figures/reportPeriod.js';
import { buildReport, reportToCsv } from './figures/reports.js';
import { schoolDay } from './schoolDate.js';
import { reportToXlsx } from './figures/reportWorkbook.js';
import { CaseStore, defaultAnchorPath } from './store/caseStore.js';
import { copyStore, restoreBackup } from './store/copyStore.js';
import { sqlitePath } from './store/database.js';
import { DEFAULT_RETENTION_YEARS, ERASURE_REASONS } from './store/pupilData.js';
import { staffMemberSchema } from './store/staff.js';
import { recordManagedMove } from './movement/managedMove.js';
import { carriesCountedDate, withCountedDates } from './suspensions/statutoryDates.js';
import { dutiesOnRecord } from './movement/movementDuties.js';
import { misCommand } from './schoolSystems/misCommand.js';
import { giveNurturePlace, nurtureCaseload } from './support/nurtureCaseload.js';
import { ledToLines } from './cases/escalations.js';
import { tatsListLines, teamAroundTheSchool } from './support/teamAroundTheSchool.js';
import { publishedSupportFiguresFor, supportFiguresFor, supportFiguresLines } from './figures/supportFigures.js';
import { measureChangeWords } from './support/supportMeasures.js';
import { importSchoolExport } from './schoolSystems/csv/importCommand.js';
import { DEMO_PUPIL_ID_KEY, pupilIdKey, PupilIdKeyRefused } from './schoolSystems/pupilPseudonym.js';

const USAGE = `cases — exclusion-prevention case workflows

Usage (every command takes --db FILE|URL: a SQLite file, or postgres://… for PostgreSQL;
default $DATABASE_URL, else $CASES_DB, else data/cases.db; settings come from the environment or,
as for the service, a .env file in the working directory):
  cases import --pupils FILE --calendar FILE        import pupils (all or nothing) and their calendar
  cases import --profile generic|sims|arbor|bromcom|FILE.json --pupils pupils.csv [--exclusions FILE.csv]
               [--attendance FILE.csv] --calendar FILE [--school S] [--pupil-ids as-given|pseudonymised]
                                                    a school system's CSV export (all or nothing); the rules run
                                                    again for the pupils it changed (pseudonymised: ids keyed
                                                    with $PUPIL_ID_KEY; the profile says which by default)
  cases staff FILE                                  add or update schools and staff from a JSON file
  cases evaluate [--as-of DATE] [--rules PACK]      run the rules over stored pupils and open cases
  cases list --as STAFF [--school S] [--pupil P] [--overdue] [--status active|done] [--format text|json]
  cases show CASE --as STAFF [--format text|json]   the case read back in full: the pupil, exclusions, duties,
                                                    answers (with earlier values), decision, notes, timeline
                                                    (the read is audited)
  cases open KIND --pupil ID --as STAFF [--data JSON]  open a case by hand (peap for a pupil at risk,
                                                    ebsna on referral, reintegration from --data startDate;
                                                    off-site-direction, part-time-timetable and
                                                    safeguarding-separation from --data, e.g. startDate, provider);
                                                    a tats-action that escalates (escalate-peap, escalate-ebsna-panel,
                                                    school-support-plan, nurture-outreach-referral [route],
                                                    ehc-needs-assessment) opens that case too, or links the one open
  cases act CASE EVENT --as STAFF [--data JSON] [--revision N]
  cases note CASE TEXT --as STAFF                   add an audit note (inclusion officers, heads)
  cases managed-move --pupil ID --to SCHOOL --agreed DATE [--off-roll DATE] [--direction CASE] --as STAFF
                                                    record a managed move on the pupil (permanent: no trial),
                                                    ending the off-site direction case that came first
  cases letter CASE --kind parents-suspension|parents-permanent|cancellation|local-authority|board-decision
               --as STAFF --out FILE.docx|FILE.pdf [--people FILE.json] [--overrides FILE.json]
                                                    a letter written from a suspension case, kept with it
                                                    (--people: the names and address, kept only in the letter)
  cases audit verify [--witness FILE|URL]           recompute the audit chain, check its anchor (and every anchor
                                                    the witness holds), and every case and pupil against the log
  cases audit re-anchor --as STAFF --reason TEXT    after a real loss of the anchor: anchor the log again,
                                                    audited (who, why, the anchor as it was); the log must verify
  cases report --year 2025/26 (--quarter 1-4 | --term autumn|spring|summer) --as STAFF [--school S]
               [--publication] [--format json|csv|xlsx] [--out FILE]   the figures, year to date (xlsx needs --out)
  cases pupils display-names on|off --school S --as STAFF   a school chooses to hold pupils' names for its
                                                    staff to see (off by default; off removes those held)
  cases pupils names --school S --file names.csv --as STAFF  load names (CSV: pupilId,displayName, or misId,displayName
                                                    with ids made from the UPN by $PUPIL_ID_KEY), all or nothing
  cases pupils move --pupil ID --to SCHOOL --reason managed-move|admission|correction --as STAFF
                                                    move a pupil's record to another school (inclusion officers
                                                    and administrators covering both; audited; cases stay)
  cases subject-access --pupil ID [--as STAFF] --out FILE    everything held about one pupil, as one JSON file (audited)
  cases erase --pupil ID --reason request|retention [--as STAFF]   erase a pupil's free text and name by destroying
                                                    their data key; the audit chain still verifies
  cases retention [--dry-run] [--as STAFF]          erase (or, --dry-run, list) pupils who left the roll
                                                    $RETENTION_YEARS years ago or more (default 6)
  cases tats --as STAFF [--week DATE] [--school S] [--rules PACK] [--format text|json]
                                                    the week's team-around-the-school list (a school, or all the
                                                    schools STAFF covers): pupils the triggers select and support
                                                    plans due for review, with what changed since last week;
                                                    a pupil stepped down stays off until a new reason appears
  cases nurture caseload --as STAFF [--school S] [--format text|json]   the nurture outreach caseload: places
                                                    taken of $NURTURE_OUTREACH_CAPACITY (default 30), the waiting list
  cases nurture place CASE --data '{"startedOn":DATE,"followUpDue":DATE}' --as STAFF
                                                    give a waiting child a place: refused when full or out of
                                                    referral order
  cases support figures --as STAFF [--school S] [--publication] [--format text|json]   interventions by type and
                                                    outcome, the average change in Boxall/SDQ/Thrive, the outreach
                                                    caseload, EHC needs assessments within 6 and 20 weeks and the
                                                    local target ($EHC_LOCAL_TARGET_WEEKS_CIC, default 16) for
                                                    children in care or on a CP plan; --publication withholds
                                                    counts of 1 or 2 and any that would give one away
  cases tick [--now DATETIME]                       fire due deadlines and send the outbox
  cases mis pull --school S                         pull one school's MIS now (all or nothing), then run the rules
  cases migrate-store --from sqlite:FILE --to postgres://…   copy a store (audit chain intact) into an
                                                    empty database; the copy's chain is verified
  cases backup FILE                                 a consistent copy of a SQLite store while it runs
                                                    (PostgreSQL: says how to use pg_dump)
  cases restore FILE                                verify a backup's audit chain, then put it in place of --db

Today is $SCHOOL_DATE when it is set (YYYY-MM-DD), else the demo's 2026-03-20 when the store holds the
fictional demo school, else the date in England — as the service (pnpm start) takes it; --now DATETIME
sets the instant for one command instead. The rules are the default pack, or --rules PACK, else
$RULES_FILE (a trust's or council's pack, as the service takes it).

The audit anchor is signed with $AUDIT_ANCHOR_KEY (without it, a key file beside the anchor);
it is kept beside a SQLite file, or in $AUDIT_ANCHOR_FILE (default data/audit.anchor) for PostgreSQL.
Pupils' free text and names are sealed with a key per pupil, wrapped by $PUPIL_DATA_KEY (64 hex characters;
without it, a key file pupil-data.key beside the anchor — for a trial only).
With $AUDIT_WITNESS (a file on another mount, or an http(s) URL) each anchor is also appended there.`;

class UsageError extends Error {}

/** Options every command takes. */
const EVERY_COMMAND = ['db', 'now', 'help'] as const;

/**
 * What each command takes beyond those: an option it would ignore is refused, so a mistyped
 * command (`cases list --kind peap`) does not quietly do something else.
 */
const OPTIONS_TAKEN: Readonly<Record<string, readonly string[]>> = {
  import: ['pupils', 'calendar', 'profile', 'exclusions', 'attendance', 'school', 'rules', 'pupil-ids'],
  staff: [],
  evaluate: ['as-of', 'rules'],
  list: ['as', 'school', 'pupil', 'overdue', 'status', 'format'],
  show: ['as', 'format'],
  open: ['pupil', 'as', 'data'],
  act: ['as', 'data', 'revision'],
  note: ['as'],
  'managed-move': ['pupil', 'to', 'agreed', 'off-roll', 'direction', 'as'],
  letter: ['kind', 'as', 'out', 'people', 'overrides'],
  audit: ['witness', 'as', 'reason'],
  report: ['year', 'quarter', 'term', 'as', 'school', 'publication', 'format', 'out'],
  pupils: ['school', 'as', 'file', 'pupil', 'to', 'reason'],
  'subject-access': ['pupil', 'as', 'out'],
  erase: ['pupil', 'reason', 'as'],
  retention: ['dry-run', 'as'],
  tats: ['as', 'week', 'school', 'rules', 'format'],
  nurture: ['as', 'school', 'format', 'data'],
  support: ['as', 'school', 'publication', 'format'],
  tick: [],
  mis: ['school'],
  'migrate-store': ['from', 'to'],
  backup: [],
  restore: [],
};

function refuseOptionsNotTaken(command: string, given: Readonly<Record<string, unknown>>): void {
  const taken = OPTIONS_TAKEN[command];
  if (!taken) return; // an unknown command is refused as such, later
  const extra = Object.keys(given).filter((name) => given[name] !== undefined && !taken.includes(name) && !(EVERY_COMMAND as readonly string[]).includes(name));
  if (extra.length === 0) return;
  const takes = [...taken, ...EVERY_COMMAND.filter((n) => n !== 'help')].map((n) => `--${n}`).join(', ');
  throw new UsageError(`cases ${command} does not take ${extra.map((n) => `--${n}`).join(', ')}; it takes ${takes} (cases --help)`);
}

async function main(argv: string[]): Promise<number> {
  const { values: o, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      as: { type: 'string' },
      pupils: { type: 'string' },
      profile: { type: 'string' },
      'pupil-ids': { type: 'string' },
      exclusions: { type: 'string' },
      attendance: { type: 'string' },
      pupil: { type: 'string' },
      calendar: { type: 'string' },
      'as-of': { type: 'string' },
      rules: { type: 'string' },
      school: { type: 'string' },
      overdue: { type: 'boolean' },
      status: { type: 'string' },
      data: { type: 'string' },
      revision: { type: 'string' },
      year: { type: 'string' },
      quarter: { type: 'string' },
      term: { type: 'string' },
      out: { type: 'string' },
      kind: { type: 'string' },
      people: { type: 'string' },
      overrides: { type: 'string' },
      publication: { type: 'boolean' },
      format: { type: 'string' },
      now: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      witness: { type: 'string' },
      agreed: { type: 'string' },
      'off-roll': { type: 'string' },
      direction: { type: 'string' },
      reason: { type: 'string' },
      file: { type: 'string' },
      'dry-run': { type: 'boolean' },
      week: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (o.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || o.help ? 0 : 2;
  }
  refuseOptionsNotTaken(command, o);
  // The service's .env too (variables already set win): the same store, key and SCHOOL_DATE as pnpm start.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const now = o.now ? instant(o.now) : undefined;
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const url = o.db ?? process.env.DATABASE_URL ?? process.env.CASES_DB ?? 'data/cases.db';
  // AUDIT_ANCHOR_FILE names the anchor of the store the command works on (for migrate-store: the copy's).
  const anchorPath = (u: string) => process.env.AUDIT_ANCHOR_FILE || defaultAnchorPath(u);
  const anchorKey = process.env.AUDIT_ANCHOR_KEY;
  if (command === 'migrate-store') {
    const from = need(o.from, 'cases migrate-store --from sqlite:FILE --to postgres://…');
    const to = need(o.to, 'cases migrate-store --from sqlite:FILE --to postgres://…');
    const copied = await copyStore({ url: from, anchorPath: defaultAnchorPath(from), ...(anchorKey ? { anchorKey } : {}) }, { url: to, anchorPath: anchorPath(to), ...(anchorKey ? { anchorKey } : {}) });
    out(`copied ${Object.entries(copied.rows).map(([t, n]) => `${n} ${t}`).join(', ')}`);
    out(copied.verified.ok ? `the copy's audit log verified: ${copied.verified.rows} rows, anchored at row ${copied.verified.anchor?.seq ?? 0}` : `THE COPY DOES NOT VERIFY: ${copied.verified.problem?.message}`);
    return copied.verified.ok ? 0 : 3;
  }
  if (command === 'restore') {
    return restore(need(args[0], 'cases restore FILE --db FILE'), url, anchorPath(url), anchorKey, out);
  }
  const schoolDate = process.env.SCHOOL_DATE?.trim() || undefined;
  if (schoolDate !== undefined && !isIsoDate(schoolDate)) throw new UsageError(`SCHOOL_DATE ${schoolDate} is not a date written YYYY-MM-DD (unset it to work on today's date)`);
  // The store's clock is the command's: set once the store says whether it holds the demo school.
  let clock: Clock = () => now ?? new Date();
  const witness = process.env.AUDIT_WITNESS?.trim() || undefined;
  const store = await CaseStore.open({ url, anchorPath: anchorPath(url), ...(anchorKey ? { anchorKey } : {}), ...(witness ? { witness } : {}), clock: () => clock() });
  const today = () => englishDate(clock());
  const staff = () => {
    if (!o.as) throw new UsageError('--as STAFF is required: who is asking (their staff id)');
    return store.staff.actorFor(o.as);
  };
  try {
    if (!now) clock = (await schoolDay(store, { schoolDate })).clock;
    switch (command) {
      case 'import': {
        if (!o.pupils || !o.calendar) throw new UsageError('cases import needs --pupils FILE and --calendar FILE');
        if (o.profile !== undefined) return await importSchoolExport(store, { profile: o.profile, pupils: o.pupils, calendar: o.calendar, exclusions: o.exclusions, attendance: o.attendance, school: o.school, rules: o.rules, pupilIds: o['pupil-ids'], asOf: today() }, out);
        if (o.exclusions || o.attendance) throw new UsageError('--exclusions and --attendance are CSV files of a school system\'s export: give --profile too (generic, sims, arbor, bromcom or a profile file)');
        await sayCalendarNotices(o.calendar, out);
        const result = await store.pupils.import(SYSTEM, { pupils: o.pupils, calendar: o.calendar });
        out(`imported ${result.pupils} pupils of ${result.schools.length} school(s) (${result.schools.join(', ')}) with the ${result.academicYear} calendar`);
        return 0;
      }
      case 'staff': {
        const file = args[0];
        if (!file) throw new UsageError('cases staff FILE: a JSON file { "schools": [{ "id", "name" }], "staff": [{ "id", "displayName", "role", "schoolIds" }] }');
        const parsed = staffFileSchema.safeParse(jsonFile(file, 'a staff file ({ "schools": […], "staff": […] })'));
        if (!parsed.success) {
          throw new InputError(`${file} is not a valid staff file`, parsed.error.issues.map((i) => ({ file, field: i.path.join('.'), message: i.message })));
        }
        for (const school of parsed.data.schools) await store.staff.upsertSchool(school, SYSTEM);
        for (const member of parsed.data.staff) await store.staff.upsert(member, SYSTEM);
        out(`${parsed.data.schools.length} school(s), ${parsed.data.staff.length} member(s) of staff`);
        return 0;
      }
      case 'evaluate': {
        const asOf = o['as-of'] ?? today();
        const rulesFile = o.rules ?? process.env.RULES_FILE;
        const result = await evaluateStoredPupils(store, { asOf, ...(rulesFile ? { rulesFile } : {}) });
        if (!result) {
          out('another instance is evaluating the rules now; nothing done');
          return 0;
        }
        out(
          `evaluated ${result.pupils} pupils as of ${asOf}: ${result.triggers} triggers; opened ${result.opened} case(s), updated ${result.updated}, ${result.unchanged} already open` +
            (result.notOpened ? `; ${result.notOpened} not opened for ${result.leavers} pupil(s) who had left` : '') +
            (result.skipped ? `; ${result.skipped} pupil(s) skipped (no calendar for their school on that date)` : '') +
            (result.refused ? `; ${result.refused} pupil(s) refused: their stored record fails today's checks (import their school's file again)` : ''),
        );
        return 0;
      }
      case 'list': {
        const status = o.status === undefined ? undefined : (['active', 'done'] as const).find((st) => st === o.status);
        if (o.status !== undefined && !status) throw new UsageError(`--status ${quoted(o.status, 40)}: expected active or done (done: the cases closed)`);
        const on = today();
        const cases = await store.cases.list(await staff(), { ...(o.school ? { schoolId: o.school } : {}), ...(o.pupil ? { pupilId: o.pupil } : {}), ...(status ? { status } : {}), ...(o.overdue ? { overdueOn: on } : {}) });
        if (format(o.format, ['text', 'json']) === 'json') {
          out(JSON.stringify(cases.map((c) => caseSummary(c, on)), null, 2));
          return 0;
        }
        if (cases.length === 0) out('no cases');
        for (const c of cases) out(summary(c, on));
        return 0;
      }
      case 'show': {
        const id = need(args[0], 'cases show CASE');
        const shape = format(o.format, ['text', 'json']);
        const record = await caseRecord(store, await staff(), id, { today: today(), ...(process.env.QUESTIONS_FILE ? { questions: loadQuestionSet(process.env.QUESTIONS_FILE) } : {}) });
        out(shape === 'json' ? JSON.stringify(record, null, 2) : caseRecordLines(record).join('\n'));
        return 0;
      }
      case 'open': {
        const kind = CASE_KINDS.find((k) => k === args[0]);
        if (!kind) throw new UsageError(args[0] === undefined ? `usage: cases open KIND --pupil ID --as STAFF [--data JSON]; KIND is one of ${CASE_KINDS.join(', ')}` : `${quoted(args[0], 40)} is not a kind of case; KIND is one of ${CASE_KINDS.join(', ')}`);
        const actor = await staff();
        const pupilId = need(o.pupil, `cases open ${kind} --pupil ID`);
        const data = o.data ? jsonObject(o.data) : {};
        const { case: view, created } = await openByHand(store, actor, kind, pupilId, today(), data);
        out(created ? `${view.id}: ${describeState(view.state)}` : `${view.id}: already open for this — ${describeState(view.state)}`);
        for (const line of await ledToLines(store, actor, view)) out(line);
        return 0;
      }
      case 'act': {
        const id = need(args[0], 'cases act CASE EVENT');
        const type = need(args[1], 'cases act CASE EVENT');
        const data = o.data ? jsonObject(o.data) : {};
        const actor = await staff();
        // The dates the law counts (the board's latest date on a request, the review panel's windows) are counted here as in the bot.
        const event = carriesCountedDate(type) ? await withCountedDates(store, await store.cases.get(actor, id), { ...data, type }) : { ...data, type };
        const view = await store.cases.sendUnchecked(actor, id, [event], o.revision ? { expectedRevision: Number(o.revision) } : {});
        // A pupil-movement duty done (a notice, the LA or council told) goes on the pupil's record too, as from the bot.
        await dutiesOnRecord(store, actor, view, [event]);
        out(`${view.id}: ${describeState(view.state)} (revision ${view.revision})`);
        if (type === 'HOLD_REVIEW') for (const line of await ledToLines(store, actor, view)) out(line);
        return 0;
      }
      case 'letter': {
        const usage = `cases letter CASE --kind ${LETTER_KINDS.join('|')} --as STAFF --out FILE.docx|FILE.pdf [--people FILE.json] [--overrides FILE.json]`;
        const caseId = need(args[0], usage);
        const kind = LETTER_KINDS.find((k) => k === o.kind);
        if (!kind) throw new UsageError(o.kind === undefined ? `usage: ${usage}` : `--kind ${o.kind} is not a letter; letters: ${LETTER_KINDS.join(', ')}`);
        const file = need(o.out, usage);
        // The format comes from the file name, so a .pdf is never written into a .docx.
        const format = /\.docx$/i.test(file) ? 'docx' : /\.pdf$/i.test(file) ? 'pdf' : undefined;
        if (!format) throw new UsageError(`--out ${file}: end the file name in .docx or .pdf`);
        const people = o.people ? parseLetterPeople(jsonFile(o.people, 'a people file'), o.people) : undefined;
        const letter = await makeLetter(store, await staff(), { caseId, kind, format, today: today(), ...(people ? { people } : {}), ...(o.overrides ? { overrides: [loadLetterOverrides(o.overrides)] } : {}) });
        writeFileSync(file, letter.bytes);
        // Ids and the hash only: the names stay in the letter.
        out(`wrote ${file}: ${kind} letter ${letter.letterId} for case ${caseId}, template v${letter.template.version} (guidance ${letter.template.guidance.edition}), sha256 ${letter.sha256}`);
        return 0;
      }
      case 'managed-move': {
        const usage = 'cases managed-move --pupil ID --to SCHOOL --agreed DATE [--off-roll DATE] [--direction CASE] --as STAFF';
        const { move, case: ended } = await recordManagedMove(store, await staff(), need(o.pupil, usage), {
          agreedOn: need(o.agreed, usage),
          receivingSchool: need(o.to, usage),
          ...(o['off-roll'] ? { offRollOn: o['off-roll'] } : {}),
          ...(o.direction ? { directionCaseId: o.direction } : {}),
        });
        out(`managed move ${move.id} recorded on the pupil${ended ? `; case ${ended.id}: ${describeState(ended.state)}` : ''}`);
        return 0;
      }
      case 'note': {
        await store.cases.note(await staff(), need(args[0], 'cases note CASE TEXT'), need(args.slice(1).join(' '), 'cases note CASE TEXT'));
        out('noted');
        return 0;
      }
      case 'audit': {
        if (args[0] === 're-anchor') {
          const reason = need(o.reason, 'cases audit re-anchor --as STAFF --reason TEXT');
          const done = await store.audit.reAnchor(await staff(), reason);
          out(`re-anchored at row ${done.seq} (the anchor was: ${done.previous}); the re-anchor row records who and why`);
          return 0;
        }
        if (args[0] !== 'verify') throw new UsageError('cases audit verify [--witness FILE|URL] | cases audit re-anchor --as STAFF --reason TEXT');
        const entries = o.witness !== undefined ? await store.audit.witnessed(o.witness) : undefined;
        const result = await store.audit.verify(entries ? { witness: entries } : {});
        const witnessed = result.witnessed !== undefined ? `; ${result.witnessed} witnessed anchors agree` : '';
        out(result.ok ? `audit log verified: ${result.rows} rows, anchored at row ${result.anchor?.seq ?? 0}${witnessed}` : `AUDIT LOG BROKEN at row ${result.problem?.seq ?? '?'}: ${result.problem?.message}`);
        return result.ok ? 0 : 3;
      }
      case 'report': {
        const usage = 'cases report --year 2025/26 (--quarter 1-4 | --term autumn|spring|summer) --as STAFF [--format json|csv|xlsx --out FILE]';
        const year = need(o.year, usage);
        const format = o.format ?? 'json';
        if (format !== 'json' && format !== 'csv' && format !== 'xlsx') throw new UsageError(`--format ${format}: expected json, csv or xlsx`);
        if (format === 'xlsx' && !o.out) throw new UsageError('--format xlsx writes a workbook: give --out FILE');
        if (o.quarter !== undefined && !/^[1-4]$/.test(o.quarter)) throw new UsageError(`--quarter ${o.quarter}: expected 1, 2, 3 or 4`);
        let period: PeriodChoice;
        try {
          academicYearStart(year);
          period = choosePeriod({ quarter: o.quarter === undefined ? undefined : Number(o.quarter), term: o.term });
        } catch (error) {
          // The library says what is wrong with a year, quarter or term; here that is the user's input.
          if (error instanceof RangeError) throw new UsageError(`${error.message} (${usage})`);
          throw error;
        }
        // A report read from the command line is audited like one read in the workspace.
        const report = await buildReport(store, await staff(), { academicYear: year, ...period, ...(o.school ? { schoolId: o.school } : {}), forPublication: o.publication === true, auditAs: format });
        if (format === 'xlsx') {
          writeFileSync(o.out!, await reportToXlsx(report));
          out(`wrote ${o.out}: ${report.rows.length} figures for ${report.schools.join(', ')}${report.forPublication ? ', for publication' : ''}`);
          return 0;
        }
        const text = format === 'csv' ? reportToCsv(report) : JSON.stringify(report, null, 2);
        if (o.out) {
          writeFileSync(o.out, `${text}\n`);
          out(`wrote ${o.out}: ${report.rows.length} figures for ${report.schools.join(', ')}${report.forPublication ? ', for publication' : ''}`);
        } else out(text);
        return 0;
      }
      case 'pupils': {
        const usage = `cases pupils display-names on|off --school S --as STAFF | cases pupils names --school S --file names.csv --as STAFF | cases pupils move --pupil ID --to SCHOOL --reason ${PUPIL_MOVE_REASONS.join('|')} --as STAFF`;
        if (args[0] === 'move') {
          const reason = PUPIL_MOVE_REASONS.find((r) => r === o.reason);
          if (!reason) throw new UsageError(o.reason === undefined ? `usage: ${usage}` : `--reason ${quoted(o.reason, 40)}: expected ${PUPIL_MOVE_REASONS.join(', ')}`);
          const pupilId = need(o.pupil, usage);
          const moved = await store.pupils.move(await staff(), pupilId, need(o.to, usage), reason);
          out(`moved pupil ${pupilId} from school ${moved.from} to school ${moved.to} (${reason}); their cases stay with school ${moved.from}. Run "cases evaluate" for the rules to see them at ${moved.to}`);
          return 0;
        }
        const school = need(o.school, usage);
        if (args[0] === 'display-names') {
          if (args[1] !== 'on' && args[1] !== 'off') throw new UsageError(`usage: ${usage}`);
          const { removed } = await store.displayNames.choose(await staff(), school, args[1] === 'on');
          out(args[1] === 'on' ? `school ${school} now holds display names for its staff to see` : `school ${school} holds no display names now (${removed} removed)`);
          return 0;
        }
        if (args[0] !== 'names') throw new UsageError(`usage: ${usage}`);
        // A file naming pupils by their MIS id (misId) has them made into the product's ids as imports do.
        const misKey = process.env.PUPIL_ID_KEY?.trim() ? pupilIdKey(process.env.PUPIL_ID_KEY, 'PUPIL_ID_KEY') : process.env.NODE_ENV === 'production' ? undefined : DEMO_PUPIL_ID_KEY;
        const { named } = await store.displayNames.load(await staff(), school, need(o.file, usage), misKey);
        out(`set ${named} display name(s) for school ${school}`);
        return 0;
      }
      case 'subject-access': {
        const usage = 'cases subject-access --pupil ID [--as STAFF] --out FILE';
        const file = need(o.out, usage);
        const found = await store.pupilData.subjectAccess(o.as ? await staff() : SYSTEM, need(o.pupil, usage));
        writeFileSync(file, `${JSON.stringify(found, null, 2)}\n`, { mode: 0o600 });
        out(`wrote ${file}: pupil ${found.pupilId}, ${found.cases.length} case(s), ${found.letters.length} letter(s), ${found.otherAuditRows.length} other audit row(s)${found.erasedAt ? ` (free text erased on ${found.erasedAt.slice(0, 10)})` : ''}`);
        return 0;
      }
      case 'erase': {
        const usage = `cases erase --pupil ID --reason ${ERASURE_REASONS.join('|')} [--as STAFF]`;
        const reason = ERASURE_REASONS.find((r) => r === o.reason);
        if (!reason) throw new UsageError(o.reason === undefined ? `usage: ${usage}` : `--reason ${quoted(o.reason, 40)}: expected ${ERASURE_REASONS.join(' or ')}`);
        const pupilId = need(o.pupil, usage);
        const done = await store.pupilData.erase(o.as ? await staff() : SYSTEM, pupilId, reason);
        out(`erased pupil ${pupilId}'s free text${done.name ? ' and display name' : ''}: ${done.cases} case(s) and ${done.letters} letter(s) now read [erased]; the audit chain is unchanged`);
        return 0;
      }
      case 'retention': {
        const years = retentionYears(process.env.RETENTION_YEARS);
        const due = await store.pupilData.dueForErasure(today(), years);
        if (o['dry-run']) {
          out(due.length === 0 ? `nobody is due for erasure (${years} years after leaving the roll)` : `${due.length} pupil(s) due for erasure (${years} years after leaving the roll):`);
          for (const d of due) out(`  ${d.pupilId}  school ${d.schoolId}  left ${d.leftOn}  due since ${d.dueOn}`);
          return 0;
        }
        const actor = o.as ? await staff() : SYSTEM;
        for (const d of due) {
          await store.pupilData.erase(actor, d.pupilId, 'retention');
          out(`  erased ${d.pupilId} (left ${d.leftOn})`);
        }
        out(`${due.length} pupil(s) erased (${years} years after leaving the roll)`);
        return 0;
      }
      case 'tats': {
        // This week's meeting unless another is asked for, as the workspace's page opens.
        const week = o.week ?? today();
        if (!isIsoDate(week)) throw new UsageError(`--week ${week} is not a date written YYYY-MM-DD`);
        // The council's or trust's rule pack, as `cases evaluate --rules` and the service's RULES_FILE take it: the list the card shows.
        const rules = o.rules ?? process.env.RULES_FILE;
        const list = await teamAroundTheSchool(store, await staff(), { week, ...(o.school ? { schoolId: o.school } : {}), ...(rules ? { rules: await loadRulePackFile(rules) } : {}) });
        out(format(o.format, ['text', 'json']) === 'json' ? JSON.stringify(list, null, 2) : tatsListLines(list).join('\n'));
        return 0;
      }
      case 'support': {
        if (args[0] !== 'figures') throw new UsageError('cases support figures --as STAFF [--school S] [--publication] [--format text|json]');
        // For publication, counts of 1 or 2 (and what would give them away, here or beside another school's) withheld.
        const f = o.publication === true ? await publishedSupportFiguresFor(store, await staff(), o.school) : await supportFiguresFor(store, await staff(), o.school);
        out(format(o.format, ['text', 'json']) === 'json' ? JSON.stringify(f, null, 2) : supportFiguresLines(f, store.settings.ehcLocalTargetWeeks).join('\n'));
        return 0;
      }
      case 'nurture': {
        if (args[0] === 'place') {
          const id = need(args[1], 'cases nurture place CASE --data JSON');
          const data = z.strictObject({ startedOn: z.iso.date({ error: 'expected the first day, written YYYY-MM-DD' }), followUpDue: z.iso.date({ error: 'expected the follow-up date, written YYYY-MM-DD' }) }, { error: 'expected --data {"startedOn":"YYYY-MM-DD","followUpDue":"YYYY-MM-DD"}' }).parse(jsonObject(o.data ?? '{}'));
          const view = await giveNurturePlace(store, await staff(), id, data);
          out(`${view.id}: ${describeState(view.state)} (revision ${view.revision})`);
          return 0;
        }
        if (args[0] !== 'caseload') throw new UsageError('cases nurture caseload|place …');
        const load = await nurtureCaseload(store, await staff(), o.school ? { schoolId: o.school } : {});
        if (format(o.format, ['text', 'json']) === 'json') {
          out(JSON.stringify(load, null, 2));
          return 0;
        }
        out(`Nurture outreach: ${load.placesTaken} of ${load.capacity} places taken; ${load.waiting.length} waiting, ${load.awaitingConsent.length} awaiting consent`);
        for (const a of load.active) out(`  ${a.caseId} ${a.schoolId} ${a.pupilId} since ${a.startedOn}: ${a.statusWords ?? 'baseline to take'}${a.changes.length ? `; ${a.changes.map(measureChangeWords).join('; ')}` : ''}`);
        for (const w of load.waiting) out(`  waiting #${w.position}: ${w.caseId} ${w.schoolId} ${w.pupilId}, referred ${w.referredOn} (${w.route})`);
        for (const c of load.awaitingConsent) out(`  awaiting consent: ${c.caseId} ${c.schoolId} ${c.pupilId}, referred ${c.referredOn}`);
        return 0;
      }
      case 'mis':
        return await misCommand(store, args, { school: o.school, today: today(), env: process.env, out, err: (line) => process.stderr.write(`${line}\n`) });
      case 'tick': {
        const at = clock();
        const deadlines = await store.fireDueDeadlines(at);
        const sent = await store.deliverOutbox(localSenders(out), at);
        out(`deadlines fired: ${deadlines.fired} (${deadlines.moot} no longer relevant); messages sent: ${sent.sent}, failed: ${sent.failed}, waiting for a channel: ${sent.waiting}`);
        return 0;
      }
      case 'backup': {
        const file = need(args[0], 'cases backup FILE');
        await store.backup(file);
        out(`backed up ${store.backend.location} to ${file}, with its anchor ${file}.anchor (keep them together); restore with "cases restore ${file} --db NEW-FILE"`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}" (cases --help)`);
    }
  } finally {
    await store.close();
  }
}

/** RETENTION_YEARS: whole years, 1 to 100; the default when unset. */
function retentionYears(given: string | undefined): number {
  if (given === undefined || given.trim() === '') return DEFAULT_RETENTION_YEARS;
  if (!/^\d{1,3}$/.test(given.trim()) || Number(given) < 1 || Number(given) > 100) throw new UsageError(`RETENTION_YEARS ${quoted(given, 20)} is not a number of years; accepted: a whole number from 1 to 100 (default ${DEFAULT_RETENTION_YEARS})`);
  return Number(given);
}

/** Puts a SQLite backup in place of the store at `url`, once its audit chain verifies against the backup's own anchor. */
async function restore(file: string, url: string, anchorPath: string, anchorKey: string | undefined, out: (text: string) => void): Promise<number> {
  const result = await restoreBackup(file, { url, anchorPath, ...(anchorKey ? { anchorKey } : {}) });
  if (!result.ok) {
    out(`NOT RESTORED: the backup's audit log does not verify (row ${result.problem?.seq ?? '?'}: ${result.problem?.message})`);
    return 3;
  }
  out(`restored ${file} to ${sqlitePath(url)}: audit log verified, ${result.rows} rows, anchored at ${anchorPath}`);
  return 0;
}

/** What reading a calendar file skipped (an .ics file's ordinary events), said before importing it. */
async function sayCalendarNotices(file: string, out: (line: string) => void): Promise<void> {
  const notices: Problem[] = [];
  // A calendar that cannot be read is refused, with its problems, by the import itself.
  await loadCalendarFile(file, notices).catch(() => undefined);
  for (const notice of notices) out(`note: ${formatProblem(notice)}`);
}

/** A JSON file named on the command line, or a usage error saying what it should be. */
function jsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}); expected ${what} in JSON`);
  }
  // A syntax error or a key given twice is refused with its line.
  return parseJsonText(text, file, `${what} in JSON`);
}

function jsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`--data is not JSON: ${quoted(text, 60)}`);
  }
  const repeated = duplicateKey(text);
  if (repeated) throw new UsageError(`--data gives ${quoted(repeated.key)} twice; give each field once`);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('--data must be a JSON object, e.g. {"date":"2025-10-20"}');
  return value as Record<string, unknown>;
}

const staffFileSchema = z.strictObject({
  schools: z.array(z.strictObject({ id: identifier('the school\'s id'), name: z.string().min(1) })).default([]),
  staff: z.array(staffMemberSchema).default([]),
});

/** Without Teams or Slack configured, messages are printed (ids only, never pupil details). */
function localSenders(out: (text: string) => void) {
  const print = async (m: { kind: string; caseId: string | null; idempotencyKey: string }) => out(`  [local] ${m.kind} for case ${m.caseId ?? '-'} (${m.idempotencyKey})`);
  return { 'prompt-headteacher': print, 'remind-deadline': print, 're-notify': print };
}

/** `--format`: one of `accepted` (the first is the default). */
function format<const T extends string>(given: string | undefined, accepted: readonly [T, ...T[]]): T {
  if (given === undefined) return accepted[0];
  if (!(accepted as readonly string[]).includes(given)) throw new UsageError(`--format ${given} is not accepted here; use ${accepted.join(' or ')}`);
  return given as T;
}

function summary(c: CaseView, today: string): string {
  const overdue = overdueDeadlines(c, today);
  return `${c.id}  ${c.kind.padEnd(13)} school ${c.schoolId}  pupil ${c.pupilId}  ${describeState(c.state)}${c.status === 'done' ? ' (closed)' : ''}${overdue.length ? `  OVERDUE: ${overdue.map((d) => `${d.label} ${d.dueDate}`).join(', ')}` : ''}`;
}

function need(value: string | undefined, usage: string): string {
  if (!value) throw new UsageError(`usage: ${usage}`);
  return value;
}

function instant(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--now ${quoted(text)} is not a date-time (e.g. 2025-10-20T09:00:00Z)`);
  return date;
}

// Output piped into `head` and closed early is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof z.ZodError) {
      // Input the command checked against a schema of its own (--data for a place, say): each problem, no stack.
      process.stderr.write(`cases: not valid:\n${error.issues.map((i) => `  - ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('\n')}\n`);
      process.exitCode = 2;
    } else if (error instanceof InputError) {
      process.stderr.write(`${error.message.split('\n')[0]}\n${error.problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}\n`);
      process.exitCode = 2;
    } else if ((error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS')) {
      // An option we do not know (or one missing its value): say which, then how to call us; no stack.
      const said = (error as Error).message.split('\n')[0]!.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 200);
      process.stderr.write(`cases: ${said}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (
      error instanceof UsageError ||
      error instanceof AccessDenied ||
      error instanceof CaseNotFound ||
      error instanceof EventRefused ||
      error instanceof RevisionConflict ||
      error instanceof StoreRefused ||
      error instanceof LetterRefused ||
      error instanceof PupilIdKeyRefused ||
      // A date counted past the school calendars held: its message says which and what to load.
      error instanceof OutsideCalendarError
    ) {
      process.stderr.write(`cases: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`cases: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
