/**
 * Which schools' MIS the product pulls, and how: a JSON file the deployment keeps beside its
 * other secrets (MIS_SCHOOLS_FILE). Each school names its connection and its credentials — by
 * the name of an environment variable holding each (`refreshTokenEnv`, `tokenEnv`), so the file
 * itself holds no secret (an inline `token` is accepted for a trial). Assembly's school tokens
 * last a day: for a connection that runs for good, give the school's refresh token and the app's
 * ASSEMBLY_CLIENT_ID and ASSEMBLY_CLIENT_SECRET, and the token is renewed when it runs out.
 * Secrets are read here and handed to the adapter; they are never printed, and the errors below
 * name the school and the field, never a value.
 *
 * ```json
 * { "schools": [ { "schoolId": "URN-100001", "system": "assembly", "refreshTokenEnv": "ASSEMBLY_REFRESH_URN_100001" } ] }
 * ```
 */
import { readFileSync } from 'node:fs';
import { identifier, InputError, parseJsonText, type Problem } from '@before-exclusion/rules';
import { z } from 'zod';
import { ASSEMBLY_LIVE_URL, AssemblyAdapter } from './assembly/assemblyAdapter.js';
import { ASSEMBLY_PLATFORM_URL, AssemblyToken } from './assembly/assemblyToken.js';
import type { MisAdapter } from './misAdapter.js';
import type { PupilIdKey } from './pupilPseudonym.js';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable');
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

const connectionSchema = z
  .strictObject({
    schoolId: identifier('the school\'s id in the product'),
    system: z.literal('assembly', { error: 'expected "assembly" (the MIS connections the product can pull from)' }),
    token: z.string().min(1, 'expected the school token').optional(),
    tokenEnv: envName.optional(),
    /** The school's refresh token, for renewing its day-long access token (with ASSEMBLY_CLIENT_ID and ASSEMBLY_CLIENT_SECRET). */
    refreshTokenEnv: envName.optional(),
    /** The API's address; Assembly's live API by default (a test points it at a fake). */
    baseUrl: httpUrl.optional(),
    /** Where tokens are renewed; Assembly's live platform by default. */
    oauthUrl: httpUrl.optional(),
  })
  .refine((c) => !(c.token !== undefined && c.tokenEnv !== undefined), { error: 'give "token" or "tokenEnv", not both', path: ['token'] })
  .refine((c) => c.token !== undefined || c.tokenEnv !== undefined || c.refreshTokenEnv !== undefined, {
    error: 'expected "refreshTokenEnv" (renewed for good) or "tokenEnv" (an access token, which lasts a day)',
    path: ['refreshTokenEnv'],
  });

const fileSchema = z.strictObject({ schools: z.array(connectionSchema) }).refine((f) => new Set(f.schools.map((s) => s.schoolId)).size === f.schools.length, {
  error: 'a school is listed twice; give each school once',
  path: ['schools'],
});

/** One school's connection, its credentials resolved (and hidden from printing). */
export interface MisConnection {
  readonly schoolId: string;
  readonly system: 'assembly';
  readonly baseUrl: string;
  /** Kept for the connection's life, so a renewed token serves every later pull. */
  readonly token: AssemblyToken;
}

/**
 * Reads the connections file.
 * @throws InputError naming the file, the school and the field of each problem (never a secret's value)
 */
export function loadMisConnections(file: string, env: NodeJS.ProcessEnv = process.env): MisConnection[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(`${file}: cannot be read; expected the MIS connections file (MIS_SCHOOLS_FILE)`, [{ file, message: 'the file is missing or unreadable' }]);
  }
  const json = parseJsonText(text, file, 'the MIS connections file ({ "schools": [{ "schoolId", "system", "refreshTokenEnv" }] })');
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new InputError(`${file} is not a valid MIS connections file`, parsed.error.issues.map((i) => ({ file, field: i.path.join('.') || '(file)', message: i.message })));
  }
  const value = (name: string | undefined) => (name ? env[name]?.trim() || undefined : undefined);
  const problems: Problem[] = [];
  parsed.data.schools.forEach((s, i) => {
    const where = { file, location: `school ${s.schoolId}` };
    for (const field of ['tokenEnv', 'refreshTokenEnv'] as const) {
      if (s[field] && !value(s[field])) problems.push({ ...where, field: `schools.${i}.${field}`, message: `names ${s[field]}, which is not set in the environment` });
    }
    if (s.refreshTokenEnv) {
      for (const name of ['ASSEMBLY_CLIENT_ID', 'ASSEMBLY_CLIENT_SECRET']) {
        if (!value(name)) problems.push({ ...where, field: `schools.${i}.refreshTokenEnv`, message: `a refresh token needs the app's ${name} in the environment too` });
      }
    }
  });
  if (problems.length > 0) throw new InputError(`${file}: ${problems.length} credential(s) missing`, problems);
  return parsed.data.schools.map((s) => ({
    schoolId: s.schoolId,
    system: s.system,
    baseUrl: s.baseUrl ?? ASSEMBLY_LIVE_URL,
    token: new AssemblyToken({
      accessToken: s.token ?? value(s.tokenEnv),
      oauth: s.refreshTokenEnv
        ? { url: s.oauthUrl ?? ASSEMBLY_PLATFORM_URL, clientId: value('ASSEMBLY_CLIENT_ID')!, clientSecret: value('ASSEMBLY_CLIENT_SECRET')!, refreshToken: value(s.refreshTokenEnv)! }
        : undefined,
    }),
  }));
}

/** The adapter for a connection. */
export function misAdapterFor(connection: MisConnection, pupilIdKey: PupilIdKey, limits: { timeoutMs?: number; backoffMs?: number } = {}): MisAdapter {
  return new AssemblyAdapter({ baseUrl: connection.baseUrl, token: connection.token, pupilIdKey, ...limits });
}
