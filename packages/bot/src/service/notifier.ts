/**
 * Sends what the case machines queued in the outbox to the staff concerned, in every channel
 * they can be reached in: a prompt when the rules open a case, a reminder when a deadline
 * passes. A message reaches each head once per channel — a retry after a partial failure skips
 * those already reached — and waits in the outbox until someone can be reached.
 *
 * Each channel works from its own queue ({@link ChannelQueue}): a message is handed to every
 * channel's queue at once, and a channel that hangs or fails holds up only its own queue — never
 * another channel's sends. Whom a channel still has to reach is read when its turn comes, so a
 * digest sent meanwhile (or by an earlier run) is not sent again. Someone reachable in a channel
 * for the first time while a message is held up elsewhere gets it at once, not after that wait.
 */
import { EHC_STATUTORY_WEEKS as EHC, NobodyToReach, SendingStopped, type CaseStore, type OutboxMessage, type OutboxSender } from '@before-exclusion/workflows';
import type { Assistant } from '../conversation/assistant.js';
import type { Channel } from '../conversation/channel.js';
import type { Reply } from '../conversation/replies.js';
import { ChannelQueue, QueueStopped } from './channelQueue.js';

const DEADLINE_WORDS: Readonly<Record<string, string>> = {
  notices: 'Not every notice of the exclusion is recorded as sent. They are due without delay — record each below as it goes.',
  'cancellation-notices': 'The exclusion was cancelled: not everyone told of it is recorded as told again, with the reason. Record each below as it goes.',
  provision: 'Full-time education from the sixth day of exclusion is not yet recorded as arranged.',
  'board-review': "The governing board's review of the exclusion is overdue.",
  'ebsna-review': 'The six-weekly EBSNA review is due.',
  'reintegration-week-10': 'The pupil reaches week 10 of the reintegration pathway: plan the return to their home school (week 12 at the latest).',
  'reintegration-week-12': 'The pupil has passed 12 weeks on the reintegration pathway: the case is escalated.',
  'off-site-direction-notice': "The parents' written notice of the off-site direction is not recorded, and it was due two school days before the placement: the placement cannot start until two school days after it is given.",
  'off-site-direction-review': 'A review of the off-site direction is due (at the interval the school set).',
  'off-site-direction-requested-review': 'A review of the off-site direction was asked for and is not yet recorded as held: it is owed as soon as reasonably practicable.',
  'off-site-direction-planned-end': 'The off-site direction has reached its planned end: record the return, a managed move or the end.',
  'part-time-timetable-review': 'A review of the part-time timetable with the pupil and parents is due.',
  'part-time-timetable-planned-end': 'The part-time timetable has reached its time limit: back to full time, a new limit agreed with the parents, or escalate.',
  'part-time-timetable-tell-council': 'The council asks to be told of each part-time timetable: it is not yet recorded as told.',
  'safeguarding-separation-la-notice': 'The local authority is not yet recorded as told of the safeguarding separation: it must arrange suitable education.',
  'support-plan-review': 'A review of the support plan is due: record what it changed (the follow-up measures) and whether to continue, revise the plan, close or escalate.',
  'nurture-outreach-follow-up': "The nurture outreach follow-up assessment is due: record the follow-up SDQ or Thrive, so the child's progress shows against the baseline.",
  'tats-action': 'An action agreed at the team around the school is past its date: mark it done, give it a new owner or date, or drop it.',
  // The weeks and their regulations from the timescales' one home, so a change there reaches the reminders.
  'ehc-decision': `The ${EHC.decision.weeks} weeks since the council received the EHC needs assessment request have passed: record its decision whether to assess when the letter comes, or ask the council for it (${EHC.decision.source}).`,
  'ehc-not-to-issue': `The ${EHC.notToIssue.weeks} weeks since the EHC needs assessment request have passed: record the draft plan, or the decision not to issue one, or ask the council (${EHC.notToIssue.source}).`,
  'ehc-plan': `The ${EHC.plan.weeks} weeks since the EHC needs assessment request have passed and no final plan is recorded: it was due by now (${EHC.plan.source}); record it when issued, or ask the council.`,
  'ehc-local-target': "The council's local target for an EHC plan for a child in care or on a child-protection plan has passed with no final plan recorded.",
};

/**
 * A message's outcome from each channel's job (how many people it could reach there): returns when
 * it reached everyone reachable; throws SendingStopped when the service is stopping (it waits as it
 * was), an Error naming each failure (retried later), or NobodyToReach (`nobody`) when no channel
 * could reach anyone yet.
 */
export function settleChannels(outcomes: readonly PromiseSettledResult<number>[], nobody: string): void {
  const rejected = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
  // Stopping, nothing else went wrong: the message waits for the next start as it was.
  if (rejected.length && rejected.every((e) => e instanceof QueueStopped)) throw new SendingStopped(rejected[0]!.message);
  const failures = rejected.filter((e) => !(e instanceof QueueStopped)).map((e) => e.message);
  if (failures.length) throw new Error(`not delivered: ${failures.join('; ')}`);
  const reachable = outcomes.reduce((n, o) => n + (o.status === 'fulfilled' ? o.value : 0), 0);
  if (reachable === 0) throw new NobodyToReach(nobody);
}

/** From this many prompts due at once for a school, a head gets one card listing them. */
const DIGEST_FROM = 3;

type Digest = (m: OutboxMessage, schoolId: string, channel: string, head: string) => Promise<{ ids: number[]; reply: Reply } | undefined>;

/**
 * The outbox senders for the messages staff receive. `queues` are the channels' own queues, by
 * channel name (the service's, to report their health and stop them); a channel without one gets
 * a queue with the default timeout and breaker.
 */
export function staffNotifier(
  store: CaseStore,
  assistant: Assistant,
  channels: readonly Channel[],
  clock: () => Date,
  queues: ReadonlyMap<string, ChannelQueue> = new Map(),
): Record<string, OutboxSender> {
  const queueOf = new Map(channels.map((c) => [c.name, queues.get(c.name) ?? new ChannelQueue(c.name)]));
  /** Messages being sent: each channel's job for them has run or waits its turn; `more` are jobs added since. */
  const sending = new Set<{ readonly send: (channel: Channel) => Promise<number>; readonly more: Promise<number>[] }>();
  for (const channel of channels) {
    const queue = queueOf.get(channel.name)!;
    // A message whose job here has run may still wait on another channel: run it here again for whoever is new.
    queue.onSomeoneReachable(() => {
      for (const message of sending) message.more.push(queue.run(() => message.send(channel)));
    });
  }

  /** Sends `m` to the heads reachable in `channel` who do not have it yet; how many are reachable there. */
  const deliverIn = async (channel: Channel, queue: ChannelQueue, m: OutboxMessage, reply: (m: OutboxMessage) => Promise<Reply | undefined>, digest?: Digest): Promise<number> => {
    const schoolId = String(m.payload.schoolId ?? '');
    const heads: string[] = [];
    for (const head of await store.staff.inRole(schoolId, 'headteacher')) if (await channel.canReach(head)) heads.push(head);
    // The message on its own, built once for every head here: null until built, undefined when there is nothing to say.
    let single: Reply | undefined | null = null;
    const failures: string[] = [];
    for (const head of heads) {
      if (await store.outbox.delivered(m.id, channel.name, head)) continue;
      // A backlog (a first import, a head reached for the first time) goes as one card, not dozens.
      const batch = await digest?.(m, schoolId, channel.name, head);
      if (!batch && single === null) single = await reply(m);
      const message = batch?.reply ?? single;
      // Nothing left to say (a reminder of a duty recorded since it was queued): the message is done, unsent.
      if (!message) continue;
      try {
        await queue.send(() => channel.send(head, [message]));
        for (const id of batch?.ids ?? [m.id]) await store.outbox.markDelivered(id, channel.name, head, clock());
      } catch (error) {
        failures.push(`${channel.name} to ${head}: ${(error as Error).message}`);
      }
    }
    if (failures.length) throw new Error(failures.join('; '));
    return heads.length;
  };

  const toHeads =
    (reply: (m: OutboxMessage) => Promise<Reply | undefined>, digest?: Digest) =>
    async (m: OutboxMessage): Promise<void> => {
      if (!m.caseId) return;
      const message = { send: (channel: Channel) => deliverIn(channel, queueOf.get(channel.name)!, m, reply, digest), more: [] as Promise<number>[] };
      sending.add(message);
      // Queued in every channel before anything is awaited, so each channel's queue keeps the outbox's order.
      const outcomes = await Promise.allSettled(channels.map((channel) => queueOf.get(channel.name)!.run(() => message.send(channel))));
      while (message.more.length) outcomes.push(...(await Promise.allSettled(message.more.splice(0))));
      sending.delete(message);
      settleChannels(outcomes, `no headteacher of school ${String(m.payload.schoolId ?? '')} can be reached in a channel yet`);
    };

  return {
    'prompt-headteacher': toHeads(
      (m) => assistant.prompt(m.caseId!),
      async (m, schoolId, channel, head) => {
        const due = await store.outbox.dueForSchool('prompt-headteacher', schoolId);
        if (due.length < DIGEST_FROM || !due.some((d) => d.id === m.id)) return undefined;
        // Only what this head has not had in this channel (another run may have sent some already).
        const owed: typeof due = [];
        for (const d of due) if (!(await store.outbox.delivered(d.id, channel, head))) owed.push(d);
        if (owed.length < DIGEST_FROM) return undefined;
        return { ids: owed.map((d) => d.id), reply: await assistant.digest(owed.map((d) => d.caseId)) };
      },
    ),
    'remind-deadline': toHeads(async (m) => {
      const deadline = String(m.payload.deadline ?? '');
      return assistant.reminder(m.caseId!, deadline, DEADLINE_WORDS[deadline] ?? `A deadline needs attention: ${deadline}.`);
    }),
  };
}
