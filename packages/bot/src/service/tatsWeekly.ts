/**
 * The week's list for the team around the school (Halton's weekly meeting, seed 003 lines 82-92),
 * delivered to the people who meet: each school's headteachers and the inclusion officers who
 * cover it (the staff directory says who covers what). On the meeting's day, from its time
 * (TATS_WEEKLY_AT, England's time), one outbox message per school is queued under a key naming
 * the school and the meeting's date — however many instances ask, it is queued once, and the
 * outbox's lease lets one instance send it. Each person gets it as one card (Teams) or one message
 * (Slack) in their one-to-one chat, once per channel: a retry skips whoever has it.
 *
 * The list is the workflows' `teamAroundTheSchool`, worked out once for the school; before it goes
 * to a person, their read of the school's cases is audited (`case-list-read`, as the workspace and
 * the `cases tats` command record it), so nothing is sent while audit writes are stopped.
 * The message says who is new, whose reasons changed, who is back after a step down and who left
 * the list (stepped down or not) since last week, and how many a step down holds off.
 * Pupils go by id only: a message sent unasked never carries a name (as the digests). An empty
 * list is still sent, as one line, so the meeting knows it was made and found nobody.
 */
import { addDays, type IsoDate, type RulePack } from '@before-exclusion/rules';
import { englishDate, SYSTEM, tatsReasonTitle, teamAroundTheSchool, type CaseStore, type OutboxMessage, type OutboxSender, type TatsList } from '@before-exclusion/workflows';
import type { Channel } from '../conversation/channel.js';
import type { WeeklyList, WeeklyListPupil } from '../conversation/replies.js';
import { ChannelQueue } from './channelQueue.js';
import { errorText, type Logger } from './log.js';
import { settleChannels } from './notifier.js';

/** The outbox kind of a school's weekly list. */
export const TATS_WEEKLY = 'tats-weekly';

/** At most this many pupils on the list, and off it, are shown in the message (a Slack message holds 50 blocks); the rest are in the workspace. */
export const WEEKLY_LIST_SHOWN = 25;

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof DAYS)[number];

/** When the team meets each week, in England's time. */
export interface MeetingTime {
  readonly day: Weekday;
  readonly hour: number;
  readonly minute: number;
}

/** What TATS_WEEKLY_AT accepts, for its error message. */
export const MEETING_TIME_ACCEPTED = 'a day and a time in England on the 24-hour clock, such as "monday 08:00", or "off"';

/**
 * TATS_WEEKLY_AT read: `off`, or a weekday and a time ("monday 08:00", any case).
 * @example parseMeetingTime('Monday 08:00') // { day: 'monday', hour: 8, minute: 0 }
 * @returns the time, 'off', or undefined when the text is neither
 */
export function parseMeetingTime(text: string): MeetingTime | 'off' | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'off') return 'off';
  const m = /^([a-z]+)\s+([01]?\d|2[0-3]):([0-5]\d)$/.exec(t);
  const day = DAYS.find((d) => d === m?.[1]);
  return m && day ? { day, hour: Number(m[2]), minute: Number(m[3]) } : undefined;
}

const ENGLAND = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * The date of the meeting `at` falls on or after, if it is the meeting's day in England and its
 * time has come; undefined otherwise. Only the day itself: a service that was down all that day
 * does not send a list for a meeting already held.
 * @example meetingOn(new Date('2026-03-23T08:00:05Z'), { day: 'monday', hour: 8, minute: 0 }) // '2026-03-23'
 */
export function meetingOn(at: Date, time: MeetingTime): IsoDate | undefined {
  const parts = Object.fromEntries(ENGLAND.formatToParts(at).map((p) => [p.type, p.value]));
  if (parts.weekday?.toLowerCase() !== time.day) return undefined;
  const minutes = Number(parts.hour) * 60 + Number(parts.minute);
  return minutes >= time.hour * 60 + time.minute ? englishDate(at) : undefined;
}

/** The people who meet for a school: its headteachers and the inclusion officers covering it. */
export async function peopleWhoMeet(store: CaseStore, schoolId: string): Promise<string[]> {
  return [...(await store.staff.inRole(schoolId, 'headteacher')), ...(await store.staff.inRole(schoolId, 'inclusion-officer'))];
}

/** Queues each school's list once its meeting has come; `queueDue` is called at every tick. */
export interface WeeklyListSchedule {
  /** Queues this week's list for every school with someone who meets, if the meeting has come and it is not queued yet. */
  queueDue(now: Date): Promise<void>;
}

export function scheduleWeeklyList(store: CaseStore, time: MeetingTime, log: Logger): WeeklyListSchedule {
  // The meeting whose lists this process has queued: one pass a week, not a write at every tick.
  let queuedFor: IsoDate | undefined;
  return {
    async queueDue(now) {
      const week = meetingOn(now, time);
      if (!week || week === queuedFor) return;
      let queued = 0;
      for (const school of await store.staff.schools()) {
        if ((await peopleWhoMeet(store, school.id)).length === 0) continue;
        // The key makes it once a week, whichever instance gets here first.
        if (await store.outbox.enqueue({ kind: TATS_WEEKLY, schoolId: school.id, key: `${TATS_WEEKLY}/${school.id}/${week}`, payload: { schoolId: school.id, week } }, now)) queued++;
      }
      queuedFor = week;
      if (queued) log.info(`weekly list: queued for the meeting of ${week}`, { kind: TATS_WEEKLY, count: queued });
    },
  };
}

export interface WeeklyListDelivery {
  readonly store: CaseStore;
  readonly channels: readonly Channel[];
  /** Each channel's queue (its timeout and breaker), by name. */
  readonly queues: ReadonlyMap<string, ChannelQueue>;
  readonly clock: () => Date;
  /** Today's school date: a list is not sent once next week's is due. */
  readonly today: () => IsoDate;
  readonly rules: RulePack;
  /** The web workspace's base URL, when the service has one. */
  readonly workspaceUrl: () => string | undefined;
  readonly log: Logger;
}

/** The outbox sender for the weekly list: one card or message to each person who meets, in each channel they can be reached in. */
export function weeklyListSender(d: WeeklyListDelivery): Record<string, OutboxSender> {
  const queueOf = (channel: Channel) => d.queues.get(channel.name) ?? new ChannelQueue(channel.name);
  return {
    [TATS_WEEKLY]: async (m: OutboxMessage) => {
      const schoolId = String(m.payload.schoolId ?? '');
      const week = String(m.payload.week ?? '');
      // Next week's list is due (this one waited on channels that failed all week): it is done, unsent.
      if (d.today() >= addDays(week, 7)) return void d.log.info(`weekly list of ${week}: not sent, next week's is due`, { kind: TATS_WEEKLY });
      const people = await peopleWhoMeet(d.store, schoolId);
      const schoolName = (await d.store.staff.schools()).find((s) => s.id === schoolId)?.name ?? schoolId;
      // The list is worked out once for the school (the rules over every pupil, this week and last);
      // each person's read of it is audited once, whatever the channels.
      let list: Promise<WeeklyList> | undefined;
      const reads = new Map<string, Promise<void>>();
      const listFor = async (staffId: string): Promise<WeeklyList> => {
        if (!reads.has(staffId)) reads.set(staffId, readBy(d.store, staffId, schoolId));
        await reads.get(staffId);
        return (list ??= weeklyListOf(d, schoolId, schoolName, week));
      };
      const outcomes = await Promise.allSettled(
        d.channels.map((channel) => {
          const queue = queueOf(channel);
          return queue.run(async () => {
            let reachable = 0;
            const failures: string[] = [];
            for (const person of people) {
              if (!(await channel.canReach(person))) continue;
              reachable++;
              if (await d.store.outbox.delivered(m.id, channel.name, person)) continue;
              try {
                const list = await listFor(person);
                await queue.send(() => channel.send(person, [list]));
                await d.store.outbox.markDelivered(m.id, channel.name, person, d.clock());
              } catch (error) {
                failures.push(`${channel.name} to ${person}: ${errorText(error)}`);
              }
            }
            if (failures.length) throw new Error(failures.join('; '));
            return reachable;
          });
        }),
      );
      settleChannels(outcomes, `nobody who meets for school ${schoolId} can be reached in a channel yet`);
    },
  };
}

/**
 * Records `staffId`'s read of the school's cases, as the workspace's weekly list and `cases tats`
 * record it (a `case-list-read` naming the school's cases) — before anything is sent to them, so
 * while audit writes are stopped nothing is. Refused (AccessDenied) for someone not covering it.
 */
async function readBy(store: CaseStore, staffId: string, schoolId: string): Promise<void> {
  await store.cases.list(await store.staff.actorFor(staffId), { schoolId });
}

/** The school's list for the week, as the message shows it. */
async function weeklyListOf(d: WeeklyListDelivery, schoolId: string, schoolName: string, week: string): Promise<WeeklyList> {
  // Read as the system: the read each person makes of it is recorded as theirs (readBy).
  const list = await teamAroundTheSchool(d.store, SYSTEM, { week: week as IsoDate, schoolId, rules: d.rules });
  const base = d.workspaceUrl();
  const link = base ? `${base}/support?${new URLSearchParams({ school: schoolId, week }).toString()}` : undefined;
  return weeklyListReply(list, schoolName, d.rules, link);
}

const CHANGE_ORDER = { new: 0, changed: 1, still: 2 } as const;

/**
 * The message for one school's list: NEW and CHANGED first, then the rest, by pupil id; the
 * first {@link WEEKLY_LIST_SHOWN} on it and off it, the counts of the whole.
 */
export function weeklyListReply(list: TatsList, schoolName: string, rules: RulePack, workspaceUrl?: string): WeeklyList {
  // A reason gone from the list is named by this week's words for it, else its rule's title, else its id in words.
  const title = (reason: string) => tatsReasonTitle(list, reason, rules);
  const pupils: WeeklyListPupil[] = list.entries
    .map((e) => ({
      pupilId: e.pupilId,
      change: e.change,
      // One line per reason: a trigger that fired twice is still one reason.
      reasons: [...new Map(e.reasons.map((r) => [r.reason, r])).values()].map((r) => ({ title: r.title, newThisWeek: e.reasonsAdded.includes(r.reason) })),
      reasonsGone: e.reasonsGone.map(title),
      actions: e.actions.map((a) => ({ action: a.action, owner: a.owner, dueDate: a.dueDate, overdue: a.overdue })),
      ...(e.steppedDown ? { backAfterStepDown: e.steppedDown.on } : {}),
    }))
    .sort((a, b) => CHANGE_ORDER[a.change] - CHANGE_ORDER[b.change] || a.pupilId.localeCompare(b.pupilId));
  return {
    type: 'weekly-list',
    schoolId: list.schools[0] ?? '',
    schoolName,
    week: list.week,
    lastWeek: list.lastWeek,
    counts: {
      on: pupils.length,
      new: pupils.filter((p) => p.change === 'new').length,
      changed: pupils.filter((p) => p.change === 'changed').length,
      off: list.steppedOff.length,
      heldOff: list.heldOff?.length ?? 0,
    },
    pupils: pupils.slice(0, WEEKLY_LIST_SHOWN),
    steppedOff: list.steppedOff.slice(0, WEEKLY_LIST_SHOWN).map((s) => ({ pupilId: s.pupilId, reasons: s.reasons.map(title), ...(s.steppedDownOn ? { steppedDownOn: s.steppedDownOn } : {}) })),
    ...(workspaceUrl ? { workspaceUrl } : {}),
  };
}
