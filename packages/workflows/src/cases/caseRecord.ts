/**
 * A case read back in full — the chronology an inclusion officer or a governing board audits:
 * the pupil's context, their exclusions and reasons in words, what the rules say now, every duty
 * and whether it was met on time, every answer under its question with what it was before, the
 * decision and its rationale with the PEAP gate as it stood when it was made, the notes, the
 * evidence a board review needs, and the whole timeline. One function builds it for every
 * channel (the CLI, Teams, Slack, the web workspace); reading it is audited like any case read.
 */
import { RulesEvaluator, derivePupilFacts, type IsoDate, type PupilRecord } from '@before-exclusion/rules';
import type { Actor } from '../access.js';
import { caseSummary, type CaseSummary, type CaseView } from './caseService.js';
import { caseDuties, type Duty } from './caseDuties.js';
import { caseTitle, categoryWords, deadlineWords, openedByWords, reasonWords, timelineWords } from './caseWords.js';
import { CaseNotFound } from '../errors.js';
import { linkWords } from './escalations.js';
import { PEAP_DECISION_TITLES, peapGateItems, type PeapContext } from '../machines/index.js';
import { DEFAULT_QUESTIONS, MEETING_DATE, displayAnswer, type Question } from './peapQuestions.js';
import { keyStage } from '../figures/reports.js';
import type { AuditRow } from '../store/auditLog.js';
import type { CaseStore } from '../store/caseStore.js';
import { pupilSupport, type SupportLine } from '../support/supportChronology.js';
import { CASE_SENT } from '../store/outbox.js';

type AnswerValue = string | string[] | boolean;

export interface CaseRecord {
  /** Where the case stands, as in any list of cases, and what opened it. */
  readonly case: CaseSummary & {
    /** The rule whose trigger opened the case, and why it fired — in a sentence too, `words` (see `openedByWords`). */
    readonly openedBy?: { readonly ruleId: string; readonly ruleVersion: number; readonly explanation?: string; readonly words: string };
  };
  /** The pupil as the store holds them now (pseudonymous); absent when the record is no longer held. */
  readonly pupil?: PupilContext;
  readonly exclusions: readonly ExclusionLine[];
  /** What the rules find for the pupil as of the record's date, each with its explanation and source. */
  readonly triggers: readonly { readonly title: string; readonly explanation: string; readonly dueDate?: string; readonly source: string; readonly rule: string }[];
  readonly duties: readonly Duty[];
  /** PEAP answers under their questions, in the question set's order, each with its earlier values. */
  readonly answers: readonly AnswerLine[];
  readonly decision?: {
    readonly decision: string;
    readonly rationale: string;
    readonly by: string;
    readonly at: string;
    readonly followUpDate: string;
    /** The PEAP gate's items as they stood when the decision was made. */
    readonly gate: readonly { readonly item: string; readonly met: boolean }[];
  };
  readonly notes: readonly { readonly text: string; readonly by: string; readonly role: string; readonly at: string }[];
  /** The support the pupil has had, oldest first, from their support plan and nurture outreach cases (`supportChronology.ts`). */
  readonly support: readonly SupportLine[];
  /** For a decided PEAP, the instant `support` stands at: the decision's (support recorded since is not shown beside it). */
  readonly supportAsAt?: string;
  /** What a governing board's review looks for, and whether the case holds it. */
  readonly evidence: readonly { readonly item: string; readonly present: boolean; readonly where?: string }[];
  readonly timeline: readonly { readonly seq: number; readonly at: string; readonly who: string; readonly role: string; readonly what: string }[];
}

export type { Duty };

export interface PupilContext {
  readonly id: string;
  readonly yearGroup?: number;
  readonly keyStage: string;
  readonly send: string;
  readonly lookedAfter: boolean;
  readonly hasSocialWorker: boolean;
  readonly fsm: boolean;
  /** The date the totals are counted to: today, or the end of the latest school year held. Absent: no calendar covers the pupil's year. */
  readonly asOf?: IsoDate;
  /** Attendance this year to date, as a percentage of possible sessions. */
  readonly attendance?: number;
  readonly suspensionDaysThisYear: number;
  /** The annual limit in force (45 school days), from the rule pack, and how many are left. */
  readonly annualLimit: number;
  readonly daysLeft: number;
}

export interface ExclusionLine {
  readonly id: string;
  readonly category: string;
  readonly startDate: string;
  readonly lastDate?: string;
  readonly schoolDays: number;
  readonly reasons: readonly { readonly code: string; readonly words: string }[];
  readonly cancelled: boolean;
}

export interface AnswerLine {
  readonly questionId: string;
  readonly section: string;
  readonly question: string;
  readonly answer: string;
  readonly by?: string;
  readonly at?: string;
  /** Earlier values, oldest first: a Yes changed to No shows here. */
  readonly earlier: readonly { readonly answer: string; readonly by: string; readonly at: string }[];
}

export interface CaseRecordOptions {
  /** The date the record is read as of (England), for the pupil's totals and the rules. */
  readonly today: IsoDate;
  readonly questions?: readonly Question[];
  readonly evaluator?: RulesEvaluator;
}

/**
 * A case read back in full, for someone allowed to see it. The read is audited.
 * @throws CaseNotFound when the actor may not see the case.
 */
export async function caseRecord(store: CaseStore, actor: Actor, caseId: string, options: CaseRecordOptions): Promise<CaseRecord> {
  const view = await store.cases.get(actor, caseId);
  const trail = await store.audit.entriesFor(caseId);
  const questions = options.questions ?? DEFAULT_QUESTIONS;
  const record = await store.pupils.record(actor, view.pupilId).catch((error: unknown) => {
    if (error instanceof CaseNotFound) return undefined; // a pupil no longer held: the case stands on its own
    throw error;
  });
  const calendar = record ? await store.pupils.calendarFor(record.schoolId, options.today) : undefined;
  // Past the end of the latest calendar held, the pupil's year is read as it ended.
  const asOf = calendar && !calendar.covers(options.today) && calendar.lastDay < options.today ? calendar.lastDay : options.today;
  const evaluator = options.evaluator ?? new RulesEvaluator();
  const facts = record && calendar?.covers(asOf) ? derivePupilFacts(record, calendar, asOf) : undefined;
  const triggers = record && calendar?.covers(asOf) ? await evaluator.evaluate(record, calendar, asOf) : [];
  const peap = view.kind === 'peap' ? view.context : undefined;

  // Beside a decision, the support on record when it was made: what the head had before them.
  const decidedAt = peap?.decision?.at;
  const support = await pupilSupport(store, actor, view.pupilId, decidedAt);
  return {
    case: {
      ...caseSummary(view, options.today),
      // The record knows the exclusion's length when a case opened before cases held it does not.
      title: caseTitle(view, view.kind === 'suspension' ? record?.exclusions.find((e) => e.id === view.context.exclusion.id) : undefined),
      ...(view.ruleId ? { openedBy: openedBy(view, view.ruleId, view.ruleVersion ?? 0, peap?.trigger?.explanation, evaluator) } : {}),
    },
    ...(record ? { pupil: pupilContext(record, facts, evaluator.rules.annualSuspensionLimit(asOf), facts ? asOf : undefined) } : {}),
    exclusions: record ? exclusionLines(record, facts) : [],
    triggers: triggers.map((t) => ({ title: t.title, explanation: t.explanation, ...(t.dueDate ? { dueDate: t.dueDate } : {}), source: t.source.citation, rule: `${t.ruleId} v${t.ruleVersion}` })),
    duties: caseDuties(view, options.today).map(({ key: _key, ...duty }) => duty),
    answers: peap ? answerLines(peap, trail, questions) : [],
    ...(peap?.decision ? { decision: decisionOf(peap, trail) } : {}),
    // Beside the decision: what was tried, when, and what it changed (the pupil's cases, an audited list read).
    support,
    ...(decidedAt ? { supportAsAt: decidedAt } : {}),
    notes: trail.filter((r) => r.action === 'note').map((r) => ({ text: String((r.data as { text?: unknown } | null)?.text ?? ''), by: r.actor, role: r.role, at: r.at })),
    evidence: evidence(view, record, peap, support),
    timeline: trail.map((r) => ({ seq: r.seq, at: r.at, who: r.actor, role: r.role, what: inWords(view, r, questions) })),
  };
}

function openedBy(view: CaseView, ruleId: string, ruleVersion: number, explanation: string | undefined, evaluator: RulesEvaluator): NonNullable<CaseRecord['case']['openedBy']> {
  const why = { ruleId, ruleVersion, ...(explanation ? { explanation } : {}) };
  return { ...why, words: openedByWords(view.kind, why, evaluator.rules) };
}

function pupilContext(record: PupilRecord, facts: ReturnType<typeof derivePupilFacts> | undefined, annualLimit: number, asOf: IsoDate | undefined): PupilContext {
  const days = facts?.suspensionDaysThisYear ?? record.priorSchoolSuspensionDays;
  const absence = facts?.attendance.absenceRate;
  return {
    id: record.id,
    ...(record.yearGroup !== undefined ? { yearGroup: record.yearGroup } : {}),
    keyStage: keyStage(record.yearGroup),
    send: { none: 'no SEND', K: 'SEN support (K)', E: 'EHC plan (E)' }[record.send],
    lookedAfter: record.lookedAfter,
    hasSocialWorker: record.hasSocialWorker,
    fsm: record.fsm,
    ...(absence !== undefined ? { attendance: Math.round((100 - absence) * 10) / 10 } : {}),
    ...(asOf ? { asOf } : {}),
    suspensionDaysThisYear: days,
    annualLimit,
    daysLeft: Math.max(0, annualLimit - days),
  };
}

function exclusionLines(record: PupilRecord, facts: ReturnType<typeof derivePupilFacts> | undefined): ExclusionLine[] {
  return record.exclusions.map((e) => {
    const f = facts?.exclusions.find((x) => x.id === e.id);
    return {
      id: e.id,
      category: categoryWords(e.category),
      startDate: e.startDate,
      ...(f?.lastDate ? { lastDate: f.lastDate } : {}),
      schoolDays: f?.schoolDays ?? (e.category === 'LNCH' ? (e.lunchtimes ?? 0) / 2 : (e.sessions ?? 0) / 2),
      reasons: e.reasons.map((code) => ({ code, words: reasonWords(code) })),
      cancelled: e.cancelled,
    };
  });
}

/** Every question answered, in the set's order (then any answer to a question the set no longer has), with earlier values. */
function answerLines(c: PeapContext, trail: readonly AuditRow[], questions: readonly Question[]): AnswerLine[] {
  const given = new Map<string, { value: AnswerValue; by: string; at: string }[]>();
  for (const r of trail) {
    if (r.action !== 'event') continue;
    const data = (r.data ?? {}) as { questionId?: string; answer?: AnswerValue; date?: string };
    const id = r.event === 'ANSWER' ? data.questionId : r.event === 'SCHEDULE_MEETING' ? MEETING_DATE : undefined;
    const value = r.event === 'ANSWER' ? data.answer : data.date;
    if (id && value !== undefined) given.set(id, [...(given.get(id) ?? []), { value, by: r.actor, at: r.at }]);
  }
  const known = new Set(questions.map((q) => q.id));
  const order = [...questions.map((q) => q.id), ...[...given.keys()].filter((id) => !known.has(id))];
  return order.flatMap((id) => {
    const history = given.get(id);
    const current = id === MEETING_DATE ? c.meetingDate : c.answers[id]?.value;
    if (!history?.length && current === undefined) return [];
    const question = questions.find((q) => q.id === id) ?? { id, section: 'Other', kind: 'text' as const, text: id };
    const last = history?.at(-1);
    return [
      {
        questionId: id,
        section: question.section,
        question: question.text,
        answer: displayAnswer(question, current),
        ...(last ? { by: last.by, at: last.at } : {}),
        earlier: (history ?? []).slice(0, -1).map((h) => ({ answer: displayAnswer(question, h.value), by: h.by, at: h.at })),
      },
    ];
  });
}

/** The decision, with the gate replayed from the answers given before it. */
function decisionOf(c: PeapContext, trail: readonly AuditRow[]): NonNullable<CaseRecord['decision']> {
  const d = c.decision!;
  const decided = trail.filter((r) => r.action === 'event' && r.event === 'DECIDE').at(-1);
  const answers: PeapContext['answers'] = {};
  for (const r of trail) {
    if (decided && r.seq >= decided.seq) break;
    const data = (r.data ?? {}) as { questionId?: string; answer?: AnswerValue };
    if (r.action === 'event' && r.event === 'ANSWER' && data.questionId && data.answer !== undefined) answers[data.questionId] = { value: data.answer, by: r.actor, at: r.at };
  }
  return {
    decision: PEAP_DECISION_TITLES[d.decision],
    rationale: d.rationale,
    by: d.by,
    at: d.at,
    followUpDate: d.followUpDate,
    gate: peapGateItems({ ...c, answers }),
  };
}

/**
 * A pupil-movement case's duty once done — the parents' notice of an off-site direction, the LA told
 * of a separation, the council told of a timetable — with when and by whom, on time or late, in
 * place of its deadline (which was cancelled when it was met).
 */
/** Kinds a governing board (or an independent review panel) may review: the evidence it looks for is theirs alone. */
const REVIEWABLE: ReadonlySet<string> = new Set(['peap', 'suspension']);

/**
 * A governing board's review looks for these (DfE guidance on reviews); each present or missing.
 * Support counts as tried when the interview says so or the pupil's support record holds some.
 */
function evidence(view: CaseView, record: PupilRecord | undefined, peap: PeapContext | undefined, support: readonly SupportLine[]): CaseRecord['evidence'] {
  if (!REVIEWABLE.has(view.kind)) return [];
  const answered = (prefix: string) => Object.keys(peap?.answers ?? {}).some((id) => id.startsWith(prefix));
  const counted = (record?.exclusions ?? []).filter((e) => !e.cancelled);
  const supportAnswered = answered('support.school-based') || answered('support.external');
  return [
    { item: 'details of the incident(s) and the reasons', present: counted.length > 0 || answered('exclusion.'), where: counted.length ? 'the exclusions recorded' : 'the interview' },
    { item: "the pupil's own account", present: answered('pupil-voice.'), where: "the interview's pupil-voice answers" },
    { item: 'witness statements', present: answered('evidence.witness'), where: 'a trust question "evidence.witness…"' },
    { item: 'SEND details and how they were taken into account', present: answered('pupil.needs') || answered('factors.send'), where: "the interview's needs and factors" },
    { item: 'the support tried', present: supportAnswered || support.length > 0, where: support.length ? 'the support record' : "the interview's support answers" },
    { item: 'the professionals involved', present: Boolean(peap?.answers['support.external']), where: 'the external support answer' },
    ...(view.kind === 'suspension' ? [{ item: 'the notices sent, with dates', present: Object.values(view.context.notices).every((n) => n?.sent), where: 'the duties' }] : []),
  ].map((e) => (e.present ? e : { item: e.item, present: false, where: e.where }));
}

/** The messages the outbox sends about a case, in words. */
const SENT_WORDS: Readonly<Record<string, string>> = { 'prompt-headteacher': 'the prompt to act', 'remind-deadline': 'a reminder of a duty' };

/** A channel's name as people say it. */
const channelWords = (channel: string): string => ({ teams: 'Teams', slack: 'Slack', web: 'the workspace' })[channel] ?? channel;

/** An audit row in words: what the person (or the system) did, with the question's text for an answer. */
function inWords(view: CaseView, r: AuditRow, questions: readonly Question[]): string {
  const data = (r.data ?? {}) as Record<string, unknown>;
  // A case an escalation opened or linked, said on both cases.
  const link = linkWords(r.action, r.data);
  if (link) return link;
  switch (r.action) {
    case 'case-opened':
      return r.actor === 'system' ? 'the rules opened the case' : 'opened the case';
    case 'case-read':
      return 'read the case';
    case CASE_SENT:
      return `was sent ${SENT_WORDS[String(data.message)] ?? 'a message about the case'} in ${channelWords(String(data.channel))}`;
    case 'note':
      return 'added a note';
    case 'deadline-moot':
      return `a deadline came due after it no longer mattered: ${deadlineWords(view.kind, String(data.key))}`;
    case 'event':
      return timelineWords(view.kind, r.event ?? '', data, (id) => questions.find((q) => q.id === id)?.text ?? id);
    default:
      return r.action.replace(/-/g, ' ');
  }
}
