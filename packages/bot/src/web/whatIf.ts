/**
 * The what-if page of the workspace, /workspace/what-if: before a trust or council changes a
 * setting — the PEAP threshold, the EBSNA attendance line — which of the reader's schools' pupils
 * would gain or lose which triggers, in total and by SEND, free school meals, looked after, sex
 * and ethnicity, small numbers withheld. Built by the workflows' `whatIfOverStoredPupils` (the
 * rules library's comparer over stored pupils), which audits the read. A school the person does
 * not cover is "not found", as on the figures pages.
 */
import express, { type Request, type Response, type Router } from 'express';
import { AccessDenied, whatIfOverStoredPupils, type Actor, type CaseStore } from '@before-exclusion/workflows';
import { CHARACTERISTICS, InputError, defaultRulePack, type Characteristic, type IsoDate, type RulePack, type Shown } from '@before-exclusion/rules';
import type { Logger } from '../service/log.js';
import type { Pages } from './views.js';

export interface WhatIfContext<Me extends { readonly actor: Actor }> {
  readonly store: CaseStore;
  readonly log: Logger;
  readonly today: () => string;
  readonly pages: Pages;
  /** The pack in force (the service's RULES_FILE, else the default). */
  readonly rules?: RulePack | undefined;
  signedIn(req: Request, res: Response): Promise<Me | undefined>;
  layout(req: Request, res: Response, me?: Me): Record<string, unknown>;
}

/** The settings the page offers: field, rule, parameter, label. */
const SETTINGS = [
  { field: 'peapThreshold', rule: 'peap.required', parameter: 'threshold', label: 'Suspensions in one half-term that call for a PEAP' },
  { field: 'ebsnaAttendanceBelow', rule: 'ebsna.referral-suggested', parameter: 'attendanceBelow', label: 'Attendance (%) below which an EBSNA referral is suggested' },
] as const;
type Field = (typeof SETTINGS)[number]['field'] | 'school';

class NotFound extends Error {
  readonly status = 404;
}

const shown = (n: Shown): string => (n === 'c' ? 'c' : String(n));

export function whatIfRouter<Me extends { readonly actor: Actor }>(context: WhatIfContext<Me>): Router {
  const { store, log } = context;
  const current = context.rules ?? defaultRulePack();
  const router = express.Router();
  /** A prompt in words: its title in the pack (the trigger id only for one the pack does not know). */
  const titleOf = (trigger: string): string => current.rules.find((r) => r.trigger === trigger)?.title ?? trigger;
  /** A setting's value in the pack in force today. */
  const setting = (s: (typeof SETTINGS)[number]): string => String(current.inForce(context.today() as IsoDate).find((r) => r.id === s.rule)?.parameters[s.parameter]?.default ?? '');

  router.get('/', async (req, res) => {
    const me = await context.signedIn(req, res);
    if (!me) return;
    const query = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string).trim() : '');
    const values: Record<string, string> = Object.fromEntries(SETTINGS.map((s) => [s.field, query(s.field) || setting(s)]));
    const school = query('school');
    const asked = SETTINGS.some((s) => query(s.field) !== '');
    const errors: { field: Field; text: string }[] = [];
    const proposed: Record<string, Record<string, number>> = {};
    for (const s of SETTINGS) {
      if (!asked) break;
      const text = values[s.field]!;
      if (!/^\d{1,3}$/.test(text)) errors.push({ field: s.field, text: `${s.label}: enter a whole number, like ${setting(s)}` });
      else (proposed[s.rule] ??= {})[s.parameter] = Number(text);
    }
    let result: Awaited<ReturnType<typeof whatIfOverStoredPupils>> | undefined;
    if (asked && errors.length === 0) {
      try {
        result = await whatIfOverStoredPupils(store, me.actor, { asOf: context.today(), current, proposed, ...(school ? { schoolId: school } : {}) });
        log.info('workspace: what-if read', { staffId: me.actor.id, channel: 'web', verb: 'what-if', count: result.schools.length });
      } catch (error) {
        if (error instanceof AccessDenied) throw new NotFound();
        if (!(error instanceof InputError)) throw error;
        // The pack's own limits, said under the setting they are about.
        for (const p of error.problems) {
          const setting = SETTINGS.find((s) => p.field?.includes(`"${s.rule}"`));
          errors.push({ field: setting?.field ?? 'peapThreshold', text: `${setting?.label ?? 'The setting'}: ${p.message}` });
        }
      }
    }
    const schools = (await store.staff.schools()).filter((s) => me.actor.schoolIds.includes(s.id));
    const c = result?.comparison;
    context.pages.send(res, 'what-if', {
      ...context.layout(req, res, me),
      pageTitle: 'What if a setting changed?',
      today: context.today(),
      errors: errors.map((e) => ({ text: e.text, href: `#${e.field}` })),
      fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.text])),
      settings: SETTINGS.map((s) => ({ ...s, value: values[s.field], now: setting(s) })),
      schoolItems: [{ value: '', text: schools.length > 1 ? 'All your schools' : 'Your school' }, ...schools.map((s) => ({ value: s.id, text: s.name }))].map((i) => ({ ...i, selected: i.value === school })),
      ...(c && result
        ? {
            result: {
              pupils: c.pupils,
              gaining: shown(c.pupilsGaining),
              losing: shown(c.pupilsLosing),
              asOf: c.asOf,
              withoutCalendar: result.withoutCalendar,
              notCompared: result.notCompared,
              triggerRows: c.triggers
                .filter((t) => t.current !== t.proposed || t.pupilsGaining !== 0 || t.pupilsLosing !== 0)
                .map((t) => [{ text: titleOf(t.trigger) }, ...[t.current, t.proposed, t.pupilsGaining, t.pupilsLosing].map((n) => ({ text: shown(n), format: 'numeric' }))]),
              groupTables: (Object.keys(CHARACTERISTICS) as Characteristic[]).map((ch) => ({
                id: `group-${ch}`,
                caption: `By ${CHARACTERISTICS[ch].title}`,
                rows: c.groups.filter((g) => g.characteristic === ch).map((g) => [{ text: g.group }, ...[g.pupils, g.gaining, g.gainingRate, g.losing, g.losingRate].map((n) => ({ text: shown(n), format: 'numeric' }))]),
              })),
              differences: c.differences.slice(0, 100).map((d) => ({ pupilId: d.pupilId, schoolId: d.schoolId, gained: d.gained.map((t) => titleOf(t.trigger)).join('; '), lost: d.lost.map((t) => titleOf(t.trigger)).join('; ') })),
              moreDifferences: Math.max(0, c.differences.length - 100),
            },
          }
        : {}),
    });
  });

  return router;
}
