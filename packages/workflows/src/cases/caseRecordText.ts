/**
 * A case record as plain text, for the command line and anything that prints: section by
 * section, answers under their questions with earlier values as changes, every date in words.
 */
import { longDate } from '@before-exclusion/rules';
import type { CaseRecord } from './caseRecord.js';
import { supportLineWords } from '../support/supportChronology.js';

const DUTY_STATUS: Readonly<Record<CaseRecord['duties'][number]['status'], string>> = {
  'on-time': 'done on time',
  late: 'done late',
  overdue: 'OVERDUE',
  pending: 'to do',
  cancelled: 'no longer due',
};

const when = (iso: string) => `${longDate(iso.slice(0, 10))} ${iso.slice(11, 16)}`;

/** The record, a line at a time. */
export function caseRecordLines(r: CaseRecord): string[] {
  const lines: string[] = [];
  const section = (title: string) => lines.push('', title.toUpperCase());
  const c = r.case;
  lines.push(`${c.title} (case ${c.id}, school ${c.schoolId})`, `now: ${c.stateText}${c.closed ? ' (closed)' : ''}`);
  if (c.openedBy) lines.push(c.openedBy.words);
  lines.push(`opened ${when(c.openedAt)}; last changed ${when(c.updatedAt)} (revision ${c.revision})`);
  if (r.pupil) {
    const p = r.pupil;
    section('The pupil');
    lines.push(`  ${p.id}: ${p.yearGroup !== undefined ? `year ${p.yearGroup} (${p.keyStage})` : 'year not recorded'}; ${p.send}; ${p.lookedAfter ? 'looked after' : 'not looked after'}; ${p.hasSocialWorker ? 'has a social worker' : 'no social worker'}; ${p.fsm ? 'FSM' : 'not FSM'}`);
    lines.push(
      `  ${p.asOf ? `to ${longDate(p.asOf)}` : 'no calendar covers this year'}: attendance ${p.attendance !== undefined ? `${p.attendance}%` : 'not recorded'}; suspension days ${p.suspensionDaysThisYear} of ${p.annualLimit} (${p.daysLeft} left)`,
    );
  }
  if (r.exclusions.length) {
    section('Exclusions');
    for (const e of r.exclusions) {
      lines.push(`  ${e.id}: ${e.category} from ${longDate(e.startDate)}${e.lastDate ? ` to ${longDate(e.lastDate)}` : ''}, ${e.schoolDays} school day(s)${e.cancelled ? ' (cancelled)' : ''} — ${e.reasons.map((x) => `${x.words} (${x.code})`).join('; ')}`);
    }
  }
  if (r.triggers.length) {
    section('What the rules say now');
    for (const t of r.triggers) lines.push(`  ${t.title}${t.dueDate ? ` — due ${longDate(t.dueDate)}` : ''}: ${t.explanation} [${t.rule}; ${t.source}]`);
  }
  if (r.duties.length) {
    section('Duties');
    for (const d of r.duties) {
      lines.push(`  ${d.what}${d.dueDate ? `, due ${longDate(d.dueDate)}` : ''}: ${DUTY_STATUS[d.status]}${d.done ? ` (${longDate(d.done.on)}${d.done.how ? `, ${d.done.how}` : ''}; recorded by ${d.done.by} ${when(d.done.at)})` : ''}`);
    }
  }
  if (r.answers.length) {
    section('Answers');
    let current = '';
    for (const a of r.answers) {
      if (a.section !== current) lines.push(`  ${(current = a.section)}`);
      lines.push(`    ${a.question}`, `      ${a.answer}${a.by ? `  — ${a.by}, ${when(a.at!)}` : ''}`);
      for (const e of a.earlier) lines.push(`      (changed from: ${e.answer} — ${e.by}, ${when(e.at)})`);
    }
  }
  if (r.decision) {
    const d = r.decision;
    section('Decision');
    lines.push(`  ${d.decision} — ${d.by}, ${when(d.at)}; follow-up review ${longDate(d.followUpDate)}`, `  rationale: ${d.rationale}`, '  the PEAP gate when it was decided:');
    for (const g of d.gate) lines.push(`    [${g.met ? 'x' : ' '}] ${g.item}`);
  }
  section('Support tried');
  if (r.supportAsAt) lines.push(`  as it stood when the decision was made (${when(r.supportAsAt)})`);
  if (r.support.length === 0) lines.push('  none recorded');
  for (const l of r.support) lines.push(`  ${supportLineWords(l)} [${l.caseId}]`);
  section('Notes');
  if (r.notes.length === 0) lines.push('  none');
  for (const n of r.notes) lines.push(`  ${when(n.at)} ${n.by} (${n.role}): ${n.text}`);
  // Only a suspension or PEAP goes before a board: a movement or support case has no such list.
  if (r.evidence.length > 0) section("Evidence for a governing board's review");
  for (const e of r.evidence) lines.push(`  [${e.present ? 'x' : ' '}] ${e.item}${e.present ? '' : ` — missing${e.where ? ` (${e.where})` : ''}`}`);
  section('Timeline');
  for (const t of r.timeline) lines.push(`  #${t.seq} ${when(t.at)} ${t.who} (${t.role}): ${t.what}`);
  return lines;
}
