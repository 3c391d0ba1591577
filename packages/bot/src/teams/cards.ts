/**
 * The assistant's replies as Adaptive Cards (1.5, the newest Teams renders) for Teams. Every button is an `Action.Execute`
 * (Universal Actions: the card is replaced in place, so a pressed card cannot be pressed again)
 * with an `Action.Submit` fallback carrying the same verb and data for clients without them.
 */
import { longDate } from '@before-exclusion/rules';
import { fitStatus, weeklyCounts, type ButtonAction, type CaseLine, type CaseStatus, type FormField, type FormReply, type Reply, type StatusAnswer, type WeeklyList, type WeeklyListPupil } from '../conversation/replies.js';
import type { Question } from '@before-exclusion/workflows';
import type { AnswerValue } from '../conversation/interview.js';
import { HELP_TEXT } from '../conversation/commands.js';

export type AdaptiveCard = { type: 'AdaptiveCard'; version: string; body: Element[]; $schema: string; msteams?: { width: 'Full' } };
type Element = Record<string, unknown>;

/** The verb and ids a button carries; the card's inputs are merged in when it is pressed. */
export type ActionData = { verb: string } & Record<string, unknown>;

/** A case's status stays well inside that (UTF-8 bytes of its elements), trimmed with "N more in the workspace". */
export const STATUS_CARD_BYTES = 24_000;

/** One card holding every reply of a turn, in order. */
export function replyCard(replies: readonly Reply[]): AdaptiveCard {
  const body: Element[] = [];
  replies.forEach((reply, i) => body.push({ type: 'Container', separator: i > 0, spacing: i > 0 ? 'Medium' : 'None', items: render(reply) }));
  return card(body);
}

/** What a pressed card becomes when the next step is sent as a new message (the Action.Submit path). */
export function receiptCard(text: string): AdaptiveCard {
  return card([{ type: 'TextBlock', text, wrap: true, isSubtle: true }]);
}

function card(body: Element[]): AdaptiveCard {
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body, msteams: { width: 'Full' } };
}

function button(title: string, data: ActionData, style?: 'positive' | 'destructive'): Element {
  return { type: 'Action.Execute', title, verb: data.verb, data, ...(style ? { style } : {}), fallback: { type: 'Action.Submit', title, data, ...(style ? { style } : {}) } };
}

const actions = (...list: Element[]): Element => ({ type: 'ActionSet', actions: list });
/** A reply's buttons, as one set (none: nothing). */
const buttons = (list: readonly ButtonAction[]): Element[] => (list.length ? [actions(...list.map((b) => button(b.title, b.data, b.primary ? 'positive' : undefined)))] : []);
const text = (t: string, extra: Element = {}): Element => ({ type: 'TextBlock', text: t, wrap: true, ...extra });
const heading = (t: string): Element => text(t, { weight: 'Bolder', size: 'Medium' });
const subtle = (t: string): Element => text(t, { isSubtle: true, spacing: 'None', size: 'Small' });
const problem = (t: string): Element => text(t, { color: 'Attention', weight: 'Bolder' });

function render(reply: Reply): Element[] {
  switch (reply.type) {
    case 'message':
      return [text(reply.text, reply.tone === 'error' ? { color: 'Attention' } : reply.tone === 'warning' ? { color: 'Warning' } : {})];
    case 'menu':
      return [
        heading('Before Exclusion'),
        text('I prompt you when a pupil needs a pre-exclusion assessment, walk you through its questions, show the statutory duties and dates of a suspension before you decide, and help you record each duty and write the letters.'),
        text(HELP_TEXT, { size: 'Small' }),
        actions(
          button('My cases', { verb: 'cases.mine' }),
          button('Start a PEAP', { verb: 'peap.form' }),
          button('Check a suspension', { verb: 'suspension.form' }),
          ...(reply.role === 'inclusion-officer' ? [button('Overview', { verb: 'cases.overview' })] : []),
        ),
      ];
    case 'question':
      return [
        subtle(`Pre-exclusion assessment · pupil ${reply.pupilId} · question ${reply.number} of ${reply.total} · ${reply.question.section}`),
        text(reply.question.text, { weight: 'Bolder' }),
        ...(reply.question.hint ? [subtle(reply.question.hint)] : []),
        ...(reply.suggested ? [text('From the record — confirm, or correct it:', { size: 'Small', color: 'Accent' })] : []),
        input(reply.question, reply.value),
        ...(reply.error ? [problem(reply.error)] : []),
        actions(button(reply.suggested ? 'Confirm and continue' : 'Save and continue', { verb: 'peap.answer', caseId: reply.caseId, questionId: reply.question.id, revision: reply.revision }, 'positive')),
        ...buttons((reply.actions ?? []).map((a) => ({ ...a, primary: false }))),
      ];
    case 'review': {
      const changeable = reply.items.filter((i) => i.changeable);
      return [
        heading(`Review before the decision · pupil ${reply.pupilId}`),
        subtle('Every answer is saved. Change any of them, then record the decision.'),
        ...reply.items.flatMap((item) => [text(`${item.section}: ${item.text}`, { isSubtle: true, size: 'Small', spacing: 'Medium' }), text(paragraphs(item.answer), { spacing: 'None' })]),
        ...(changeable.length
          ? [
              { type: 'Input.ChoiceSet', id: 'questionId', label: 'Change an answer', style: 'compact', placeholder: 'Choose a question', choices: changeable.map((i) => ({ title: i.text.length > 80 ? `${i.text.slice(0, 77)}…` : i.text, value: i.questionId })) },
              actions(button('Change this answer', { verb: 'peap.change', caseId: reply.caseId })),
            ]
          : []),
        // Said once: a refused decision's error says it instead.
        ...(reply.gateMissing.length && !reply.error ? [text(`Before a permanent exclusion can be decided, the PEAP still lacks: ${reply.gateMissing.join('; ')}.`, { color: 'Warning' })] : []),
        ...(reply.error ? [problem(reply.error)] : []),
        // Not isRequired: the client would then refuse "Change this answer" until a decision is chosen. The service checks.
        ...(reply.canDecide
          ? [
              { type: 'Input.ChoiceSet', id: 'decision', label: 'Decision', style: 'expanded', choices: reply.decisions.map((d) => ({ title: d.title, value: d.value })), value: reply.entered?.decision ?? '' },
              { type: 'Input.Text', id: 'rationale', label: 'Rationale', isMultiline: true, maxLength: 4000, value: reply.entered?.rationale ?? '' },
              { type: 'Input.Date', id: 'followUpDate', label: 'Follow-up review', value: reply.entered?.followUpDate || reply.followUpSuggested },
              actions(button('Record the decision', { verb: 'peap.decide', caseId: reply.caseId, revision: reply.revision }, 'positive')),
            ]
          : [text('Only the headteacher, or a deputy acting for them, records the decision.', { isSubtle: true })]),
      ];
    }
    case 'decided':
      return [
        heading(`Decision recorded · pupil ${reply.pupilId}`),
        text(`${reply.decision}. Follow-up review: ${longDate(reply.followUpDate)}.`),
        actions(button('Case status', { verb: 'case.status', caseId: reply.caseId }), button('My cases', { verb: 'cases.mine' })),
      ];
    case 'case-list':
      return [
        heading(reply.title),
        ...(reply.cases.length ? reply.cases.flatMap(caseLine) : [text(reply.empty)]),
        ...(reply.footer ? [subtle(reply.footer)] : []),
        ...buttons(reply.more ? [reply.more] : []),
      ];
    case 'form':
      return formElements(reply);
    case 'case-status':
      return fitStatus(reply, statusElements, (elements) => Buffer.byteLength(JSON.stringify(elements)) <= STATUS_CARD_BYTES);
    case 'start-form':
      return [
        heading('Start a pre-exclusion assessment'),
        { type: 'Input.Text', id: 'pupilId', label: 'Pupil id', isRequired: true, value: reply.pupilId ?? '' },
        ...(reply.error ? [problem(reply.error)] : []),
        actions(button('Start', { verb: 'peap.start' }, 'positive')),
      ];
    case 'check-form':
      return [
        heading('Check a proposed suspension'),
        subtle('Before you decide: the duties and dates it would set, and whether it stays within the annual limit on suspension days.'),
        { type: 'Input.Text', id: 'pupilId', label: 'Pupil id', isRequired: true, value: reply.pupilId ?? '' },
        { type: 'Input.Date', id: 'startDate', label: 'First day', isRequired: true, value: reply.startDate ?? '' },
        { type: 'Input.Number', id: 'sessions', label: 'Length in sessions (two a school day)', min: 1, isRequired: true, ...(reply.sessions ? { value: Number(reply.sessions) } : {}) },
        ...(reply.error ? [problem(reply.error)] : []),
        actions(button('Check', { verb: 'suspension.check' }, 'positive')),
      ];
    case 'assessment':
      return [
        heading(`Proposed suspension · pupil ${reply.pupilId}`),
        text(reply.headline),
        ...reply.facts.map((f) => text(f, f.startsWith('REFUSED') ? { color: 'Attention', weight: 'Bolder' } : {})),
        text(reply.duties.length ? 'It would set these duties:' : 'It would set no duties beyond those already on record.', { weight: 'Bolder' }),
        ...reply.duties.flatMap((d) => [text(`• ${d.title} — due ${d.due}`), subtle(d.explanation)]),
        ...buttons(reply.actions),
      ];
    case 'prompt':
      return [
        heading(`Action needed · ${reply.title}`),
        text(reply.why),
        ...(reply.deadlines.length ? [{ type: 'FactSet', facts: reply.deadlines.map((d) => ({ title: d.label, value: longDate(d.dueDate) })) }] : []),
        ...buttons(reply.actions),
        actions(
          reply.caseKind === 'peap' ? button('Start the PEAP', { verb: 'peap.resume', caseId: reply.caseId }, 'positive') : button('See the case', { verb: 'case.status', caseId: reply.caseId }),
        ),
      ];
    case 'letter':
      return [
        heading(`Written: ${reply.title}`),
        text(`${reply.fileName} is kept with the case; its fingerprint and template are in the audit trail.`),
        subtle(reply.follows),
        ...(reply.url ? [actions({ type: 'Action.OpenUrl', title: 'Open the letter', url: reply.url })] : [subtle('Open it from the workspace or with "cases letter" on the command line.')]),
        actions(button('Back to the case', { verb: 'case.status', caseId: reply.caseId })),
      ];
    case 'reminder':
      return [heading(`Reminder · ${reply.title}`), text(reply.what), ...buttons(reply.actions), actions(button('See the case', { verb: 'case.status', caseId: reply.caseId }))];
    case 'weekly-list':
      return weeklyListElements(reply);
  }
}

/**
 * The week's list as one card: a line of counts, then each pupil (its container's id names the
 * pupil) with why, what changed and the open actions; those off the list; the workspace's link.
 */
function weeklyListElements(r: WeeklyList): Element[] {
  const head = [heading(`Team around the school · ${r.schoolName} · week of ${longDate(r.week)}`)];
  const link = r.workspaceUrl ? [actions({ type: 'Action.OpenUrl', title: 'Open the weekly list', url: r.workspaceUrl })] : [];
  if (r.counts.on === 0 && r.counts.off === 0 && r.counts.heldOff === 0) return [...head, text('Nobody is on the list this week, and nobody left it since last week.'), ...link];
  const counts = weeklyCounts(r);
  const pupil = (p: WeeklyListPupil): Element => ({
    type: 'Container',
    id: `weekly-list-pupil-${p.pupilId}`,
    separator: true,
    items: [
      text(`**${p.pupilId}**${p.change === 'still' ? '' : ` · ${p.change === 'new' ? 'NEW' : 'CHANGED'}`}${p.backAfterStepDown ? ` · BACK after the step down of ${longDate(p.backAfterStepDown)}` : ''}`, p.change === 'new' ? { color: 'Accent' } : {}),
      text(p.reasons.map((x) => `${x.title}${x.newThisWeek ? ' (new this week)' : ''}`).join('; '), { spacing: 'None' }),
      ...(p.reasonsGone.length ? [subtle(`No longer: ${p.reasonsGone.join('; ')}`)] : []),
      ...p.actions.map((a) => text(`• ${a.action} — ${a.owner}, ${a.overdue ? `**OVERDUE** since ${longDate(a.dueDate)}` : `due ${longDate(a.dueDate)}`}`, { spacing: 'None', size: 'Small' })),
    ],
  });
  return [
    ...head,
    subtle(counts),
    ...r.pupils.map(pupil),
    ...(r.counts.on > r.pupils.length ? [text(`${r.counts.on - r.pupils.length} more on the list: see the workspace.`, { weight: 'Bolder' })] : []),
    ...(r.steppedOff.length
      ? [text('OFF THE LIST since last week', { weight: 'Bolder', spacing: 'Large', separator: true }), ...r.steppedOff.map((s) => text(`${s.pupilId} — was: ${s.reasons.join('; ')}${s.steppedDownOn ? ` (stepped down ${longDate(s.steppedDownOn)})` : ''}`, { spacing: 'None', size: 'Small' }))]
      : []),
    ...(r.counts.off > r.steppedOff.length ? [subtle(`${r.counts.off - r.steppedOff.length} more off the list: see the workspace.`)] : []),
    ...link,
  ];
}

/** A case read back: the decision and why, the answers, duties, notes and timeline, and a link to all of it. */
function statusElements(r: CaseStatus): Element[] {
  const c = r.case;
  const section = (title: string): Element => text(title, { weight: 'Bolder', spacing: 'Large', separator: true });
  const more = (n: number, one: string, many: string): Element[] => (n > 0 ? [subtle(`…and ${n} ${n === 1 ? one : many} in the workspace.`)] : []);
  const d = r.decision;
  return [
    heading(c.title),
    text(c.closed ? 'Closed' : c.stateText, { spacing: 'None' }),
    subtle(`Case ${c.id} · school ${c.schoolId}`),
    ...(r.openedBy ? [subtle(r.openedBy)] : []),
    ...(d
      ? [
          section('Decision'),
          text(`**${d.decision}**`),
          subtle(`Decided by ${d.by}, ${d.when} · follow-up review ${longDate(d.followUpDate)}`),
          text('Rationale', { isSubtle: true, size: 'Small', spacing: 'Small' }),
          text(paragraphs(d.rationale), { spacing: 'None' }),
          ...(d.gate.length
            ? [
                text('The PEAP gate when it was decided', { isSubtle: true, size: 'Small', spacing: 'Small' }),
                ...d.gate.map((g) => text(`${g.met ? '✓' : '✗'} ${g.item}${g.met ? '' : ' — not recorded'}`, { size: 'Small', spacing: 'None', color: g.met ? 'Good' : 'Warning' })),
              ]
            : []),
        ]
      : []),
    ...(r.support ? [section('Support tried'), ...r.support.map((l) => text(`• ${l}`, { size: 'Small', spacing: 'None' }))] : []),
    ...more(r.supportMore ?? 0, 'earlier support', 'earlier support'),
    ...(r.answers.length || r.answersMore ? [section('Answers')] : []),
    ...r.answers.flatMap((s) => [text(s.section, { weight: 'Bolder', size: 'Small', spacing: 'Medium' }), ...s.answers.flatMap(answerElements)]),
    ...more(r.answersMore, 'more answer', 'more answers'),
    ...(r.duties.length ? [section('Duties')] : []),
    ...r.duties.map((x) =>
      text(`${x.what}${x.dueDate ? ` — due ${longDate(x.dueDate)}` : ''}: **${x.status}**${x.done ? ` (${x.done})` : ''}`, { spacing: 'Small', ...(x.status === 'overdue' ? { color: 'Attention' } : {}) }),
    ),
    ...(r.notes.length || r.notesMore ? [section('Notes')] : []),
    ...more(r.notesMore, 'earlier note', 'earlier notes'),
    ...r.notes.flatMap((n) => [text(paragraphs(n.text), { spacing: 'Small' }), subtle(`${n.by}, ${n.when}`)]),
    section('Timeline'),
    ...more(r.timelineMore, 'earlier entry', 'earlier entries'),
    ...(r.timeline.length ? r.timeline.map((t) => subtle(`${t.when} · ${t.who} · ${t.what}`)) : [subtle('Nothing yet.')]),
    ...buttons(r.actions),
    ...(r.workspaceUrl ? [actions({ type: 'Action.OpenUrl', title: 'Open in the workspace', url: r.workspaceUrl })] : []),
  ];
}

/** A form: its inputs (each with its error under it), and the button that submits them. */
function formElements(f: FormReply): Element[] {
  return [
    heading(f.title),
    ...(f.intro ? [subtle(f.intro)] : []),
    ...(f.error ? [problem(f.error)] : []),
    ...(f.notes ?? []).map((n) => text(`• ${n}`, { size: 'Small', spacing: 'None', color: 'Warning' })),
    ...f.fields.flatMap((field) => [formInput(field), ...(f.fieldErrors?.[field.id] ? [text(f.fieldErrors[field.id]!, { color: 'Attention', size: 'Small', spacing: 'None' })] : [])]),
    ...buttons([{ ...f.submit, primary: true }]),
  ];
}

function formInput(f: FormField): Element {
  // Not isRequired: the service checks, and its error appears under the field without losing what was entered.
  const base = { id: f.id, label: f.label, value: f.value ?? '' };
  switch (f.kind) {
    case 'text':
      return { type: 'Input.Text', ...base, maxLength: 300 };
    case 'long-text':
      return { type: 'Input.Text', ...base, isMultiline: true, maxLength: 4000 };
    case 'date':
      return { type: 'Input.Date', ...base };
    case 'number':
      return { type: 'Input.Number', ...base, min: f.min ?? 1, ...(f.max !== undefined ? { max: f.max } : {}), ...(f.value ? { value: Number(f.value) } : { value: undefined }) };
    case 'yes-no':
      return { type: 'Input.ChoiceSet', ...base, style: 'expanded', choices: [{ title: 'Yes', value: 'yes' }, { title: 'No', value: 'no' }] };
    case 'choice':
      return { type: 'Input.ChoiceSet', ...base, style: (f.choices?.length ?? 0) > 4 ? 'compact' : 'expanded', ...(f.required ? {} : { placeholder: 'None' }), choices: f.choices ?? [] };
  }
}

/** An answer under its question; a changed one shows what it was: "Yes → No". */
function answerElements(a: StatusAnswer): Element[] {
  return [
    text(a.question, { isSubtle: true, size: 'Small', spacing: 'Small' }),
    text(paragraphs(a.earlier.length ? `${a.earlier.join(' → ')} → ${a.answer}` : a.answer), { spacing: 'None' }),
    ...(a.earlier.length && a.by ? [subtle(`changed by ${a.by}${a.when ? `, ${a.when}` : ''}`)] : []),
  ];
}

/** Line breaks a person typed, kept: a TextBlock joins single newlines. */
function paragraphs(t: string): string {
  return t.replace(/\n+/g, '\n\n');
}

function caseLine(c: CaseLine): Element[] {
  return [
    {
      type: 'Container',
      separator: true,
      items: [
        text(`**${c.title}** · ${c.stateText}`, { spacing: 'None' }),
        subtle(`${c.nextDeadline ? `Next: ${c.nextDeadline.label}, ${longDate(c.nextDeadline.dueDate)}` : 'Nothing due'}`),
        ...(c.overdue.length ? [text(`Overdue: ${c.overdue.map((d) => `${d.label} (${longDate(d.dueDate)})`).join(', ')}`, { color: 'Attention', size: 'Small' })] : []),
        actions(
          ...(c.resumable ? [button('Continue', { verb: 'peap.resume', caseId: c.id }, 'positive')] : []),
          ...(c.act ? [button(c.act.title, c.act.data, 'positive')] : []),
          button('Status', { verb: 'case.status', caseId: c.id }),
        ),
      ],
    },
  ];
}

function input(question: Question, value: AnswerValue | undefined): Element {
  const base = { id: 'answer', label: 'Your answer', isRequired: true };
  switch (question.kind) {
    case 'text':
      return { type: 'Input.Text', ...base, isMultiline: true, maxLength: 4000, value: typeof value === 'string' ? value : '' };
    case 'date':
      return { type: 'Input.Date', ...base, value: typeof value === 'string' ? value : '' };
    case 'yes-no':
      return { type: 'Input.ChoiceSet', ...base, style: 'expanded', choices: [{ title: 'Yes', value: 'yes' }, { title: 'No', value: 'no' }], value: value === true ? 'yes' : value === false ? 'no' : '' };
    case 'choice':
    case 'choices':
      return {
        type: 'Input.ChoiceSet',
        ...base,
        style: 'expanded',
        isMultiSelect: question.kind === 'choices',
        choices: (question.options ?? []).map((o) => ({ title: o.title, value: o.value })),
        value: Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '',
      };
  }
}
