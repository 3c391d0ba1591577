/**
 * Sends what the case machines queued in the outbox to the staff concerned, in every channel
 * they can be reached in: a prompt when the rules open a case, a reminder when a deadline
 * passes. A message reaches each head once per channel — a retry after a partial failure skips
 * those already reached — and waits in the outbox until someone can be reached.
 */
import { NobodyToReach, type CaseStore, type OutboxMessage, type OutboxSender } from '@before-exclusion/workflows';
import type { Assistant } from '../conversation/assistant.js';
import type { Channel } from '../conversation/channel.js';
import type { Reply } from '../conversation/replies.js';

const DEADLINE_WORDS: Readonly<Record<string, string>> = {
  notices: 'Not every notice of the exclusion is recorded as sent. They are due without delay — record each below as it goes.',
  'cancellation-notices': 'The exclusion was cancelled: not everyone told of it is recorded as told again, with the reason. Record each below as it goes.',
  provision: 'Full-time education from the sixth day of exclusion is not yet recorded as arranged.',
  'board-review': "The governing board's review of the exclusion is overdue.",
  'ebsna-review': 'The six-weekly EBSNA review is due.',
  'reintegration-week-10': 'The pupil reaches week 10 of the reintegration pathway: plan the return to their home school (week 12 at the latest).',
  'reintegration-week-12': 'The pupil has passed 12 weeks on the reintegration pathway: the case is escalated.',
};

/** From this many prompts due at once for a school, a head gets one card listing them. */
const DIGEST_FROM = 3;

/** The outbox senders for the messages staff receive. */
export function staffNotifier(store: CaseStore, assistant: Assistant, channels: readonly Channel[], clock: () => Date): Record<string, OutboxSender> {
  const toHeads =
    (reply: (m: OutboxMessage) => Promise<Reply | undefined>, digest?: (m: OutboxMessage, schoolId: string) => Promise<{ ids: number[]; reply: Reply } | undefined>) => async (m: OutboxMessage) => {
    if (!m.caseId) return;
    const schoolId = String(m.payload.schoolId ?? '');
    const targets: { head: string; channel: Channel }[] = [];
    for (const head of await store.staff.inRole(schoolId, 'headteacher')) {
      for (const channel of channels) if (await channel.canReach(head)) targets.push({ head, channel });
    }
    if (targets.length === 0) throw new NobodyToReach(`no headteacher of school ${schoolId} can be reached in a channel yet`);
    // Who is still to receive it, where: nothing is built for nobody.
    const pending: typeof targets = [];
    for (const t of targets) if (!(await store.outbox.delivered(m.id, t.channel.name, t.head))) pending.push(t);
    if (pending.length === 0) return;
    // A backlog (a first import, a head reached for the first time) goes as one card, not dozens.
    const batch = await digest?.(m, schoolId);
    const message = batch?.reply ?? (await reply(m));
    // Nothing left to say (a reminder of a duty recorded since it was queued): the message is done, unsent.
    if (!message) return;
    const failures: string[] = [];
    for (const { head, channel } of pending) {
      try {
        await channel.send(head, [message]);
        for (const id of batch?.ids ?? [m.id]) await store.outbox.markDelivered(id, channel.name, head, clock());
      } catch (error) {
        failures.push(`${channel.name} to ${head}: ${(error as Error).message}`);
      }
    }
    if (failures.length) throw new Error(`not delivered: ${failures.join('; ')}`);
  };
  return {
    'prompt-headteacher': toHeads(
      (m) => assistant.prompt(m.caseId!),
      async (m, schoolId) => {
        const due = await store.outbox.dueForSchool('prompt-headteacher', schoolId);
        if (due.length < DIGEST_FROM || !due.some((d) => d.id === m.id)) return undefined;
        return { ids: due.map((d) => d.id), reply: await assistant.digest(due.map((d) => d.caseId)) };
      },
    ),
    'remind-deadline': toHeads(async (m) => {
      const deadline = String(m.payload.deadline ?? '');
      return assistant.reminder(m.caseId!, deadline, DEADLINE_WORDS[deadline] ?? `A deadline needs attention: ${deadline}.`);
    }),
  };
}
