/**
 * The assistant's replies in Block Kit, for Slack: messages (DMs, slash-command responses, the
 * App Home tab) and the interview as modals — one question a view, the review as the last, within
 * Slack's limits (100 blocks a view, 3,000 characters of private metadata, 24 of a title).
 * Buttons carry the same verbs and data as Teams cards, as JSON in their `value`.
 */
import { longDate } from '@before-exclusion/rules';
import type { AnswerValue } from '../conversation/interview.js';
import type { Question } from '@before-exclusion/workflows';
import { fitStatus, weeklyCounts, type ButtonAction, type CaseLine, type CaseStatus, type FormField, type FormReply, type Reply, type StatusAnswer, type WeeklyList, type WeeklyListPupil } from '../conversation/replies.js';
import { HELP_TEXT } from '../conversation/commands.js';

type Block = Record<string, unknown>;
export interface ModalView {
  type: 'modal';
  callback_id: string;
  private_metadata: string;
  title: { type: 'plain_text'; text: string };
  submit?: { type: 'plain_text'; text: string };
  close: { type: 'plain_text'; text: string };
  blocks: Block[];
}

/** Callback ids of the modals, and the input block ids whose errors Slack shows in the field. */
export const VIEWS = { question: 'peap_question', review: 'peap_review', check: 'suspension_check', start: 'peap_start', form: 'form', info: 'info' } as const;
export const ANSWER_BLOCK = 'answer';
const MAX_BLOCKS = 100;
/** A message holds 50 blocks; a status keeps to fewer (a turn may add a note before it), and to a readable length (its blocks' JSON). */
export const STATUS_BLOCKS = 40;
export const STATUS_CHARS = 16_000;
/** Slack's limit on a section's or a context element's text. */
const TEXT_LIMIT = 3000;

const plain = (text: string) => ({ type: 'plain_text' as const, text: text.slice(0, 150), emoji: true });
const mrkdwn = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: text.slice(0, 3000) }] });
const header = (text: string): Block => ({ type: 'header', text: plain(text) });

let buttons = 0;
/** A button carrying a verb and its data; action ids are unique because Slack requires it within a view. */
function button(text: string, data: { verb: string } & Record<string, unknown>, style?: 'primary' | 'danger'): Block {
  return { type: 'button', text: plain(text), action_id: `${data.verb}#${++buttons % 10_000}`, value: JSON.stringify(data), ...(style ? { style } : {}) };
}
const actions = (...elements: Block[]): Block => ({ type: 'actions', elements });
/** A reply's buttons, 25 at most to an actions block (Slack's limit). */
const buttonBlocks = (list: readonly ButtonAction[]): Block[] => (list.length ? [actions(...list.slice(0, 25).map((b) => button(b.title, b.data, b.primary ? 'primary' : undefined)))] : []);

/** Replies as message blocks (a DM, a response to a slash command, the Home tab). */
export function messageBlocks(replies: readonly Reply[]): Block[] {
  const blocks = replies.flatMap((r, i) => [...(i > 0 ? [{ type: 'divider' }] : []), ...messageReply(r)]);
  return blocks.slice(0, 50);
}

/** A one-line summary of replies, for notifications and clients that cannot show blocks. */
export function fallbackText(replies: readonly Reply[]): string {
  const r = replies[0];
  if (!r) return '';
  switch (r.type) {
    case 'message':
      return r.text.slice(0, 300);
    case 'prompt':
      return `Action needed: ${r.title}`;
    case 'reminder':
      return `Reminder: ${r.title}`;
    case 'case-list':
      return r.title;
    case 'case-status':
      return `${r.case.title} (case ${r.case.id})`;
    case 'weekly-list':
      return `Team around the school · ${r.schoolName} · week of ${longDate(r.week)}: ${weeklyCounts(r)}`;
    default:
      return 'Before Exclusion';
  }
}

function messageReply(r: Reply): Block[] {
  switch (r.type) {
    case 'message':
      return [mrkdwn(`${r.tone === 'error' ? ':warning: ' : ''}${slackMarkdown(r.text)}`)];
    case 'menu':
      return [
        header('Before Exclusion'),
        mrkdwn('I prompt you when a pupil needs a pre-exclusion assessment, walk you through its questions, show the statutory duties and dates of a suspension before you decide, and help you record each duty and write the letters.'),
        mrkdwn(slackMarkdown(HELP_TEXT)),
        actions(
          button('My cases', { verb: 'cases.mine' }),
          button('Start a PEAP', { verb: 'peap.form' }, 'primary'),
          button('Check a suspension', { verb: 'suspension.form' }),
          ...(r.role === 'inclusion-officer' ? [button('Overview', { verb: 'cases.overview' })] : []),
        ),
      ];
    case 'case-list':
      return [header(r.title.slice(0, 150)), ...(r.cases.length ? r.cases.flatMap(caseLine) : [mrkdwn(r.empty)]), ...(r.footer ? [context(r.footer)] : []), ...buttonBlocks(r.more ? [r.more] : [])];
    case 'case-status':
      return fitStatus(r, statusBlocks, (blocks) => blocks.length <= STATUS_BLOCKS && JSON.stringify(blocks).length <= STATUS_CHARS);
    case 'assessment':
      return [
        header(`Proposed suspension · ${r.pupilId}`),
        mrkdwn(r.headline),
        mrkdwn(r.facts.map((f) => (f.startsWith('REFUSED') ? `:no_entry: *${f}*` : f)).join('\n')),
        mrkdwn(r.duties.length ? `*It would set these duties:*\n${r.duties.map((d) => `• ${d.title} — due ${d.due}`).join('\n')}` : 'It would set no duties beyond those already on record.'),
        ...buttonBlocks(r.actions),
      ];
    case 'prompt':
      return [
        header(`Action needed · ${r.title}`),
        mrkdwn(r.why),
        ...(r.deadlines.length ? [mrkdwn(r.deadlines.map((d) => `• ${d.label}: ${longDate(d.dueDate)}`).join('\n'))] : []),
        ...buttonBlocks(r.actions),
        actions(r.caseKind === 'peap' ? button('Start the PEAP', { verb: 'peap.resume', caseId: r.caseId }, 'primary') : button('See the case', { verb: 'case.status', caseId: r.caseId })),
      ];
    case 'letter':
      return [
        header(`Written: ${r.title}`.slice(0, 150)),
        mrkdwn(`${r.url ? `<${r.url}|Open the letter>` : 'Open it from the workspace'} — ${escape(r.fileName)} is kept with the case; its fingerprint and template are in the audit trail.`),
        context(r.follows),
        actions(button('Back to the case', { verb: 'case.status', caseId: r.caseId })),
      ];
    case 'reminder':
      return [header(`Reminder · ${r.title}`), mrkdwn(r.what), ...buttonBlocks(r.actions), actions(button('See the case', { verb: 'case.status', caseId: r.caseId }))];
    case 'weekly-list':
      return weeklyListBlocks(r);
    case 'decided':
      return [mrkdwn(`*Decision recorded · pupil ${r.pupilId}*\n${r.decision}. Follow-up review: ${longDate(r.followUpDate)}.`)];
    case 'form':
      // A form lives in a modal; a message offers the button that opens it again.
      return [mrkdwn(`*${r.title}*`), actions(button('Open the form', openingData(r), 'primary'))];
    case 'start-form':
    case 'check-form':
    case 'question':
    case 'review':
      // Forms and the interview live in modals; a message offers the button that opens one.
      return [actions(button('Open', r.type === 'question' || r.type === 'review' ? { verb: 'peap.resume', caseId: r.caseId } : { verb: r.type === 'start-form' ? 'peap.form' : 'suspension.form' }, 'primary'))];
  }
}

/**
 * The week's list as one message: a line of counts, then a section for each pupil (its block id
 * names the pupil) with why, what changed and the open actions; those off the list; the link.
 * The list is cut to fit a message's 50 blocks before it gets here (the service shows at most 25).
 */
function weeklyListBlocks(r: WeeklyList): Block[] {
  const head = [header(`Team around the school · ${r.schoolName} · week of ${longDate(r.week)}`)];
  const link = r.workspaceUrl ? [mrkdwn(`<${r.workspaceUrl}|Open the weekly list in the workspace>`)] : [];
  if (r.counts.on === 0 && r.counts.off === 0 && r.counts.heldOff === 0) return [...head, mrkdwn('Nobody is on the list this week, and nobody left it since last week.'), ...link];
  const pupil = (p: WeeklyListPupil): Block => ({
    type: 'section',
    block_id: `weekly-list-pupil-${p.pupilId}`.slice(0, 255),
    text: {
      type: 'mrkdwn',
      text: [
        `*${escape(p.pupilId)}*${p.change === 'still' ? '' : ` · ${p.change === 'new' ? ':new: NEW' : 'CHANGED'}`}${p.backAfterStepDown ? ` · BACK after the step down of ${longDate(p.backAfterStepDown)}` : ''}`,
        escape(p.reasons.map((x) => `${x.title}${x.newThisWeek ? ' (new this week)' : ''}`).join('; ')),
        ...(p.reasonsGone.length ? [`_No longer: ${escape(p.reasonsGone.join('; '))}_`] : []),
        ...p.actions.map((a) => `• ${escape(a.action)} — ${escape(a.owner)}, ${a.overdue ? `*OVERDUE* since ${longDate(a.dueDate)}` : `due ${longDate(a.dueDate)}`}`),
      ]
        .join('\n')
        .slice(0, TEXT_LIMIT),
    },
  });
  const off = r.steppedOff.map((x) => `${escape(x.pupilId)} — was: ${escape(x.reasons.join('; '))}${x.steppedDownOn ? ` (stepped down ${longDate(x.steppedDownOn)})` : ''}`);
  const more = (n: number, what: string) => (n > 0 ? [context(`${n} more ${what}: see the workspace.`)] : []);
  return [
    ...head,
    context(weeklyCounts(r)),
    ...r.pupils.map(pupil),
    ...more(r.counts.on - r.pupils.length, 'on the list'),
    ...(off.length ? [{ type: 'divider' }, ...chunks(`*OFF THE LIST since last week*\n${off.join('\n')}`).map(mrkdwn)] : []),
    ...more(r.counts.off - r.steppedOff.length, 'off the list'),
    ...link,
  ];
}

/** A case read back: the decision and why, the answers, duties, notes and timeline, and a link to all of it. */
function statusBlocks(r: CaseStatus): Block[] {
  const c = r.case;
  const more = (n: number, one: string, many: string): Block[] => (n > 0 ? [context(`…and ${n} ${n === 1 ? one : many} in the workspace.`)] : []);
  const d = r.decision;
  const answer = (a: StatusAnswer) =>
    `_${escape(a.question)}_\n${escape(a.earlier.length ? `${a.earlier.join(' → ')} → ${a.answer}` : a.answer)}${a.earlier.length && a.by ? `\n(changed by ${a.by}${a.when ? `, ${a.when}` : ''})` : ''}`;
  return [
    header(c.title),
    mrkdwn(`${c.closed ? 'Closed' : c.stateText}`),
    context(`Case ${c.id} · school ${c.schoolId}`),
    ...(r.openedBy ? [context(escape(r.openedBy))] : []),
    ...(d
      ? [
          mrkdwn(`*Decision: ${d.decision}*\nDecided by ${d.by}, ${d.when} · follow-up review ${longDate(d.followUpDate)}`),
          ...sections(`*Rationale*\n${escape(d.rationale)}`),
          ...(d.gate.length ? [mrkdwn(`*The PEAP gate when it was decided*\n${d.gate.map((g) => `${g.met ? ':white_check_mark:' : ':x:'} ${g.item}${g.met ? '' : ' — not recorded'}`).join('\n')}`)] : []),
        ]
      : []),
    ...(r.support ? sections(`*Support tried*\n${r.support.map((l) => `• ${escape(l)}`).join('\n')}`) : []),
    ...more(r.supportMore ?? 0, 'earlier support', 'earlier support'),
    ...(r.answers.length ? [header('Answers')] : []),
    ...r.answers.flatMap((s) => sections(`*${escape(s.section)}*\n${s.answers.map(answer).join('\n\n')}`)),
    ...more(r.answersMore, 'more answer', 'more answers'),
    ...(r.duties.length
      ? sections(
          `*Duties*\n${r.duties.map((x) => `• ${x.what}${x.dueDate ? ` — due ${longDate(x.dueDate)}` : ''}: ${x.status === 'overdue' ? ':warning: *overdue*' : `*${x.status}*`}${x.done ? ` (${escape(x.done)})` : ''}`).join('\n')}`,
        )
      : []),
    ...(r.notes.length ? sections(`*Notes*\n${r.notes.map((n) => `${escape(n.text)}\n— ${n.by}, ${n.when}`).join('\n\n')}`) : []),
    ...more(r.notesMore, 'earlier note', 'earlier notes'),
    mrkdwn('*Timeline*'),
    ...more(r.timelineMore, 'earlier entry', 'earlier entries'),
    ...chunks(r.timeline.map((t) => `${t.when} · ${t.who} · ${escape(t.what)}`).join('\n') || 'Nothing yet.').map(context),
    ...(r.workspaceUrl ? [mrkdwn(`<${r.workspaceUrl}|Open case ${c.id} in the workspace> — everything on the case, in full.`)] : []),
    ...buttonBlocks(r.actions),
  ];
}

/** Section blocks holding `text`, split at line breaks to keep within Slack's 3,000 characters a block. */
const sections = (text: string): Block[] => chunks(text).map(mrkdwn);

function chunks(text: string, limit = TEXT_LIMIT): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    for (let piece = line; ; piece = piece.slice(limit)) {
      const part = piece.slice(0, limit);
      if (current && current.length + 1 + part.length > limit) {
        out.push(current);
        current = part;
      } else current = current ? `${current}\n${part}` : part;
      if (piece.length <= limit) break;
    }
  }
  if (current || out.length === 0) out.push(current);
  return out;
}

/** What a person typed, shown as text in mrkdwn: Slack reads &, < and > as markup. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function caseLine(c: CaseLine): Block[] {
  return [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${escape(c.title)}* · ${c.stateText}\n${c.nextDeadline ? `Next: ${c.nextDeadline.label}, ${longDate(c.nextDeadline.dueDate)}` : 'Nothing due'}${c.overdue.length ? `\n:warning: Overdue: ${c.overdue.map((d) => `${d.label} (${longDate(d.dueDate)})`).join(', ')}` : ''}`,
      },
      accessory: c.resumable ? button('Continue', { verb: 'peap.resume', caseId: c.id }, 'primary') : c.act ? button(c.act.title, c.act.data, 'primary') : button('Status', { verb: 'case.status', caseId: c.id }),
    },
  ];
}

/** The modal for an interview step or form, or undefined when the reply belongs in a message. */
export function modalView(replies: readonly Reply[]): ModalView | undefined {
  const step = replies.find((r) => r.type === 'question' || r.type === 'review' || r.type === 'check-form' || r.type === 'start-form' || r.type === 'form' || r.type === 'assessment' || r.type === 'decided');
  if (!step) return undefined;
  const notes = replies.filter((r) => r.type === 'message').flatMap((r) => messageReply(r));
  switch (step.type) {
    case 'question':
      return {
        type: 'modal',
        callback_id: VIEWS.question,
        private_metadata: JSON.stringify({ caseId: step.caseId, questionId: step.question.id, revision: step.revision }),
        title: plain(`PEAP · ${step.pupilId}`.slice(0, 24)),
        submit: plain(step.suggested ? 'Confirm and continue' : 'Save and continue'),
        close: plain('Stop for now'),
        blocks: [
          ...notes,
          context(`Question ${step.number} of ${step.total} · ${step.question.section}`),
          mrkdwn(`*${step.question.text}*`),
          ...(step.question.hint ? [context(step.question.hint)] : []),
          ...(step.suggested ? [context('From the record — confirm, or correct it.')] : []),
          { type: 'input', block_id: ANSWER_BLOCK, label: plain('Your answer'), element: answerElement(step.question, step.value) },
          // What can be recorded first (support tried): the modal moves to its form, and back here once recorded.
          ...(step.actions?.length ? [actions(...step.actions.map((a) => button(a.title, a.data)))] : []),
        ],
      };
    case 'review': {
      const changeable = step.items.filter((i) => i.changeable);
      const items = step.items.map((i) => mrkdwn(`_${i.section}: ${i.text}_\n${i.answer}`));
      const blocks: Block[] = [
        ...notes,
        mrkdwn('*Review before the decision.* Every answer is saved; change any of them, then record the decision.'),
        ...items,
        ...(changeable.length
          ? [
              {
                type: 'actions',
                block_id: 'change',
                elements: [
                  {
                    type: 'static_select',
                    action_id: 'peap.change',
                    placeholder: plain('Change an answer…'),
                    options: changeable.slice(0, 100).map((i) => ({ text: plain(i.text.length > 75 ? `${i.text.slice(0, 72)}…` : i.text), value: JSON.stringify({ verb: 'peap.change', caseId: step.caseId, questionId: i.questionId }) })),
                  },
                ],
              },
            ]
          : []),
        ...(step.gateMissing.length ? [mrkdwn(`:warning: Before a permanent exclusion can be decided, the PEAP still lacks: ${step.gateMissing.join('; ')}.`)] : []),
        ...(step.canDecide
          ? [
              { type: 'input', block_id: 'decision', label: plain('Decision'), element: { type: 'radio_buttons', action_id: 'value', options: step.decisions.map((d) => ({ text: plain(d.title), value: d.value })) } },
              { type: 'input', block_id: 'rationale', label: plain('Rationale'), element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000 } },
              { type: 'input', block_id: 'followUpDate', label: plain('Follow-up review'), element: { type: 'datepicker', action_id: 'value', initial_date: step.followUpSuggested } },
            ]
          : [context('Only the headteacher, or a deputy acting for them, records the decision.')]),
      ];
      return {
        type: 'modal',
        callback_id: VIEWS.review,
        private_metadata: JSON.stringify({ caseId: step.caseId, revision: step.revision }),
        title: plain(`Review · ${step.pupilId}`.slice(0, 24)),
        ...(step.canDecide ? { submit: plain('Record the decision') } : {}),
        close: plain('Close'),
        blocks: blocks.length > MAX_BLOCKS ? [...blocks.slice(0, MAX_BLOCKS - 1), context('(shortened to fit Slack)')] : blocks,
      };
    }
    case 'check-form':
      return {
        type: 'modal',
        callback_id: VIEWS.check,
        private_metadata: '{}',
        title: plain('Check a suspension'),
        submit: plain('Check'),
        close: plain('Close'),
        blocks: [
          ...notes,
          context('Before you decide: the duties and dates it would set, and whether it stays within the annual limit on suspension days.'),
          { type: 'input', block_id: 'pupilId', label: plain('Pupil id'), element: { type: 'plain_text_input', action_id: 'value', ...(step.pupilId ? { initial_value: step.pupilId } : {}) } },
          { type: 'input', block_id: 'startDate', label: plain('First day'), element: { type: 'datepicker', action_id: 'value', ...(step.startDate ? { initial_date: step.startDate } : {}) } },
          { type: 'input', block_id: 'sessions', label: plain('Length in sessions (two a school day)'), element: { type: 'number_input', is_decimal_allowed: false, min_value: '1', action_id: 'value', ...(step.sessions ? { initial_value: step.sessions } : {}) } },
        ],
      };
    case 'start-form':
      return {
        type: 'modal',
        callback_id: VIEWS.start,
        private_metadata: '{}',
        title: plain('Start a PEAP'),
        submit: plain('Start'),
        close: plain('Close'),
        blocks: [...notes, { type: 'input', block_id: 'pupilId', label: plain('Pupil id'), element: { type: 'plain_text_input', action_id: 'value', ...(step.pupilId ? { initial_value: step.pupilId } : {}) } }],
      };
    case 'form':
      return formView(step, notes);
    case 'assessment':
    case 'decided':
      return { type: 'modal', callback_id: VIEWS.info, private_metadata: '{}', title: plain(step.type === 'decided' ? 'Decision recorded' : 'Proposed suspension'), close: plain('Done'), blocks: [...notes, ...messageReply(step)] };
  }
}

/** The field a form's error belongs in (Slack shows it under that input). */
export function errorBlock(reply: Reply): string | undefined {
  switch (reply.type) {
    case 'question':
      return reply.error ? ANSWER_BLOCK : undefined;
    case 'review':
      return reply.error ? (/rationale/i.test(reply.error) ? 'rationale' : /date/i.test(reply.error) ? 'followUpDate' : 'decision') : undefined;
    case 'check-form':
      return reply.error ? (/sessions/i.test(reply.error) ? 'sessions' : /date|day/i.test(reply.error) && !/pupil/i.test(reply.error) ? 'startDate' : 'pupilId') : undefined;
    case 'start-form':
      return reply.error ? 'pupilId' : undefined;
    default:
      return undefined;
  }
}

/**
 * A form's errors as Slack shows them, under their inputs: each field's own, and a form-wide
 * error under the first input. Undefined when the form has none (or is not a form).
 */
export function formErrors(reply: Reply): Record<string, string> | undefined {
  if (reply.type !== 'form' || (!reply.error && !reply.fieldErrors)) return undefined;
  // A confirmation asked for (a permanent exclusion without a completed PEAP) is a new view, not an error.
  if (reply.notes?.length) return undefined;
  const errors: Record<string, string> = { ...reply.fieldErrors };
  const first = reply.fields[0]?.id;
  if (reply.error && first) errors[first] = errors[first] ? `${reply.error} ${errors[first]}` : reply.error;
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.slice(0, 2000)]));
}

/** The form as a modal: what submitting it sends rides in the private metadata. */
function formView(f: FormReply, notes: Block[]): ModalView {
  const blocks: Block[] = [
    ...notes,
    // The modal's title holds 24 characters: the form's whole title, with whom it concerns, is said here.
    mrkdwn(`*${escape(f.title)}*`),
    ...(f.intro ? [context(f.intro)] : []),
    ...(f.error ? [mrkdwn(`:warning: ${escape(f.error)}`)] : []),
    ...(f.notes?.length ? [mrkdwn(f.notes.map((n) => `• ${escape(n)}`).join('\n'))] : []),
    ...f.fields.map(formInput),
  ];
  return {
    type: 'modal',
    callback_id: VIEWS.form,
    private_metadata: JSON.stringify(f.submit.data).slice(0, 3000),
    // What submitting does makes a short title ("Record the notice"); whom it concerns is said in full below it.
    title: plain(fitWords(f.submit.title, 24)),
    submit: plain(fitWords(f.submit.title, 24)),
    close: plain('Close'),
    blocks,
  };
}

function formInput(f: FormField): Block {
  const option = (o: { value: string; title: string }) => ({ text: plain(o.title.slice(0, 75)), value: o.value });
  const label = plain(f.label);
  const base = { type: 'input', block_id: f.id, label, optional: !f.required };
  switch (f.kind) {
    case 'text':
    case 'long-text':
      return { ...base, element: { type: 'plain_text_input', action_id: 'value', multiline: f.kind === 'long-text', max_length: f.kind === 'text' ? 300 : 3000, ...(f.value ? { initial_value: f.value } : {}) } };
    case 'date':
      return { ...base, element: { type: 'datepicker', action_id: 'value', ...(f.value ? { initial_date: f.value } : {}) } };
    case 'number':
      return { ...base, element: { type: 'number_input', is_decimal_allowed: false, min_value: String(f.min ?? 1), ...(f.max !== undefined ? { max_value: String(f.max) } : {}), action_id: 'value', ...(f.value ? { initial_value: f.value } : {}) } };
    case 'yes-no':
    case 'choice': {
      const options = (f.kind === 'yes-no' ? [{ value: 'yes', title: 'Yes' }, { value: 'no', title: 'No' }] : (f.choices ?? [])).map(option);
      const initial = options.find((o) => o.value === f.value);
      const element = options.length > 5 ? 'static_select' : 'radio_buttons';
      return { ...base, element: { type: element, action_id: 'value', options, ...(element === 'static_select' ? { placeholder: plain('Choose…') } : {}), ...(initial ? { initial_option: initial } : {}) } };
    }
  }
}

/** The button data that opens a form again (from a message): the form's own verb and ids. */
function openingData(f: FormReply): { verb: string } & Record<string, unknown> {
  const d = f.submit.data;
  if (d.verb === 'duty.record') return { verb: 'duty.form', caseId: d.caseId, duty: d.duty, ...(d.recipient ? { recipient: d.recipient } : {}) };
  if (d.verb === 'exclusion.record') return { verb: 'exclusion.form', pupilId: d.pupilId };
  if (d.verb === 'movement.record') return { verb: 'movement.form', caseId: d.caseId, duty: d.duty };
  if (d.verb === 'support.record') return { verb: 'support.form', pupilId: d.pupilId, ...(d.peapCaseId ? { peapCaseId: d.peapCaseId, questionId: d.questionId } : {}) };
  if (d.verb === 'support.review') return { verb: 'support.review-form', target: d.caseId };
  if (d.verb === 'support.replan') return { verb: 'support.replan-form', caseId: d.caseId };
  return { verb: 'help' };
}

function answerElement(question: Question, value: AnswerValue | undefined): Block {
  const option = (o: { value: string; title: string }) => ({ text: plain(o.title), value: o.value });
  switch (question.kind) {
    case 'text':
      return { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000, ...(typeof value === 'string' && value ? { initial_value: value.slice(0, 3000) } : {}) };
    case 'date':
      return { type: 'datepicker', action_id: 'value', ...(typeof value === 'string' ? { initial_date: value } : {}) };
    case 'yes-no': {
      const options = [option({ value: 'yes', title: 'Yes' }), option({ value: 'no', title: 'No' })];
      const initial = value === true ? options[0] : value === false ? options[1] : undefined;
      return { type: 'radio_buttons', action_id: 'value', options, ...(initial ? { initial_option: initial } : {}) };
    }
    case 'choice': {
      const options = (question.options ?? []).map(option);
      const initial = options.find((o) => o.value === value);
      return { type: 'radio_buttons', action_id: 'value', options, ...(initial ? { initial_option: initial } : {}) };
    }
    case 'choices': {
      const options = (question.options ?? []).map(option);
      const initial = options.filter((o) => Array.isArray(value) && value.includes(o.value));
      return { type: 'checkboxes', action_id: 'value', options, ...(initial.length ? { initial_options: initial } : {}) };
    }
  }
}

/** What a person entered in an input block, whatever its element. */
export function inputValue(state: Record<string, Record<string, SlackInputState>> | undefined, blockId: string): string | string[] | undefined {
  const s = state?.[blockId]?.value;
  if (!s) return undefined;
  if (s.type === 'checkboxes') return (s.selected_options ?? []).map((o) => o.value);
  return s.value ?? s.selected_date ?? s.selected_option?.value ?? undefined;
}

export interface SlackInputState {
  type: string;
  value?: string | null;
  selected_date?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
}

/** Text cut to `max` characters at a word, ending "…" when cut (a modal's title and buttons are short). */
function fitWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1)).trimEnd()}…`;
}

/** Teams-flavoured markdown (`**bold**`) as Slack mrkdwn (`*bold*`). */
function slackMarkdown(text: string): string {
  return text.replace(/\*\*(.+?)\*\*/g, '*$1*');
}
