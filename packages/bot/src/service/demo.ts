/**
 * The demo school, loaded into an empty database so a newcomer can try the service at once:
 * the bundled example 2025/26 calendar, 30 fictional pupils, a demo head and a demo inclusion
 * officer — all clearly labelled fictional. The demo head is the user Microsoft 365 Agents
 * Playground signs in as, so the Playground talks to the service as the head.
 */
import { fileURLToPath } from 'node:url';
import { DEMO_SCHOOL, SYSTEM, type CaseStore } from '@before-exclusion/workflows';

// The school and its date live in workflows, whose notion of today (schoolDate.ts) the CLI shares.
export { DEMO_SCHOOL, DEMO_SCHOOL_DATE } from '@before-exclusion/workflows';

/** The user `pnpm playground` signs in as (packages/bot/playground/agentsplayground.yml). */
export const PLAYGROUND_USER_AAD_ID = '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d';

/**
 * The demo officer's Microsoft Entra object id: a GUID like any real one, so a Teams tab token can
 * name them (in a test, signed by a local key; no real tenant has this user).
 */
export const DEMO_OFFICER_AAD_ID = '7b1e9c4d-2a3f-4e5b-9c6d-1f2a3b4c5d6e';

const resource = (specifier: string) => fileURLToPath(import.meta.resolve(specifier));

/** Whether the store holds no school yet. */
export async function isEmpty(store: CaseStore): Promise<boolean> {
  return (await store.staff.schools()).length === 0;
}

/** Loads the demo school, its pupils and staff (into an empty store). */
export async function loadDemo(store: CaseStore): Promise<{ pupils: number }> {
  await store.staff.upsertSchool(DEMO_SCHOOL, SYSTEM);
  const result = await store.pupils.import(SYSTEM, {
    pupils: resource('@before-exclusion/rules/data/demo/pupils.ndjson'),
    calendar: resource('@before-exclusion/rules/data/calendars/england-2025-26.example.json'),
  });
  await store.staff.upsert(
    { id: 'demo-head', displayName: 'Demo Head (fictional)', role: 'headteacher', schoolIds: [DEMO_SCHOOL.id], teamsAadId: PLAYGROUND_USER_AAD_ID, slackUserId: 'U0DEMOHEAD', slackTeamId: 'T0DEMO' },
    SYSTEM,
  );
  await store.staff.upsert({ id: 'demo-officer', displayName: 'Demo Inclusion Officer (fictional)', role: 'inclusion-officer', schoolIds: [DEMO_SCHOOL.id], teamsAadId: DEMO_OFFICER_AAD_ID, slackUserId: 'U0DEMOOFFICER', slackTeamId: 'T0DEMO' }, SYSTEM);
  return { pupils: result.pupils };
}
