/**
 * `cases mis pull --school S`: one school's pull now, as the service does on its schedule — the
 * connection from MIS_SCHOOLS_FILE, ids derived with PUPIL_ID_KEY — printing counts, never a
 * pupil or a token. Refused data lists every problem (nothing imported); an MIS that cannot be
 * reached says so in one line.
 */
import { formatProblem, InputError, type IsoDate } from '@before-exclusion/rules';
import type { CaseStore } from '../store/caseStore.js';
import { MisRefused, MisUnavailable } from './misAdapter.js';
import { loadMisConnections, misAdapterFor } from './misConnections.js';
import { pullSchool } from './misPull.js';
import { DEMO_PUPIL_ID_KEY, pupilIdKey } from './pupilPseudonym.js';

export const MIS_USAGE = 'cases mis pull --school S   (the school\'s connection from $MIS_SCHOOLS_FILE; ids derived with $PUPIL_ID_KEY)';

/** Runs `cases mis …`; returns the exit code (2: refused or misused, 3: the MIS could not be reached). */
export async function misCommand(store: CaseStore, args: readonly string[], options: { readonly school: string | undefined; readonly today: IsoDate; readonly env: NodeJS.ProcessEnv; readonly out: (line: string) => void; readonly err: (line: string) => void }): Promise<number> {
  const { out, err, env } = options;
  if (args[0] !== 'pull' || !options.school) {
    err(`usage: ${MIS_USAGE}`);
    return 2;
  }
  const file = env.MIS_SCHOOLS_FILE?.trim();
  if (!file) {
    err('cases mis pull: MIS_SCHOOLS_FILE is not set; it names the JSON file listing each school\'s MIS connection (see the README, "Connecting a school\'s MIS")');
    return 2;
  }
  const connection = loadMisConnections(file, env).find((c) => c.schoolId === options.school);
  if (!connection) {
    err(`cases mis pull: school ${options.school} is not in ${file}; the schools there are the ones that can be pulled`);
    return 2;
  }
  const key = env.PUPIL_ID_KEY?.trim() ? pupilIdKey(env.PUPIL_ID_KEY, 'PUPIL_ID_KEY') : undefined;
  if (!key) {
    if (env.NODE_ENV === 'production') {
      err('cases mis pull: PUPIL_ID_KEY is not set; in production pupil ids are derived with the deployment\'s own secret');
      return 2;
    }
    err('note: PUPIL_ID_KEY is not set; pupil ids are derived with the public demo key (a trial only)');
  }
  try {
    const result = await pullSchool(store, misAdapterFor(connection, key ?? DEMO_PUPIL_ID_KEY), { schoolId: connection.schoolId, today: options.today });
    out(
      `pulled school ${result.schoolId} from ${result.system}: ${result.pupils} pupil(s), ${result.changed} changed (${result.requests} request(s))` +
        (result.evaluation ? `; the rules ran: opened ${result.evaluation.opened} case(s), updated ${result.evaluation.updated}` : result.changed > 0 ? '; the rules did not run now (another run was busy): the next run opens the cases' : '') +
        (result.evaluationFailed ? `; the rules failed after the pull was saved (${result.evaluationFailed.split('\n')[0]}): run "cases evaluate"` : ''),
    );
    return result.evaluationFailed ? 1 : 0;
  } catch (error) {
    if (error instanceof MisRefused || error instanceof InputError) {
      err(error.message.split('\n')[0]!);
      for (const p of error.problems) err(`  - ${formatProblem(p)}`);
      return 2;
    }
    if (error instanceof MisUnavailable) {
      err(`cases mis pull: ${error.message}; nothing was imported`);
      return 3;
    }
    throw error;
  }
}
