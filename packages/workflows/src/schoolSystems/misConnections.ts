/**
 * Which schools' MIS the product pulls, and how: a JSON file the deployment keeps beside its
 * other secrets (MIS_SCHOOLS_FILE). Each school names its connection and its token — inline, or
 * better the name of an environment variable holding it (`tokenEnv`), so the file itself holds no
 * secret. Tokens are read here and handed to the adapter; they are never printed, and the errors
 * below name the school and the field, never the value.
 *
 * ```json
 * { "schools": [ { "schoolId": "URN-100001", "system": "assembly", "tokenEnv": "ASSEMBLY_TOKEN_URN_100001" } ] }
 * ```
 */
import { readFileSync } from 'node:fs';
import { identifier, InputError, parseJsonText } from '@before-exclusion/rules';
import { z } from 'zod';
import { ASSEMBLY_LIVE_URL, AssemblyAdapter } from './assembly/assemblyAdapter.js';
import type { MisAdapter } from './misAdapter.js';
import type { PupilIdKey } from './pupilPseudonym.js';

const connectionSchema = z
  .strictObject({
    schoolId: identifier('the school\'s id in the product'),
    system: z.literal('assembly', { error: 'expected "assembly" (the MIS connections the product can pull from)' }),
    token: z.string().min(1, 'expected the school token').optional(),
    tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable').optional(),
    /** The API's address; Assembly's live API by default (a test points it at a fake). */
    baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  })
  .refine((c) => (c.token === undefined) !== (c.tokenEnv === undefined), { error: 'give exactly one of "token" and "tokenEnv"', path: ['token'] });

const fileSchema = z.strictObject({ schools: z.array(connectionSchema) }).refine((f) => new Set(f.schools.map((s) => s.schoolId)).size === f.schools.length, {
  error: 'a school is listed twice; give each school once',
  path: ['schools'],
});

/** One school's connection, its token resolved. */
export interface MisConnection {
  readonly schoolId: string;
  readonly system: 'assembly';
  readonly baseUrl: string;
  /** Kept out of `toJSON` and `inspect`, so logging a connection by mistake shows no token. */
  readonly token: string;
}

/**
 * Reads the connections file.
 * @throws InputError naming the file, the school and the field of each problem (never a token's value)
 */
export function loadMisConnections(file: string, env: NodeJS.ProcessEnv = process.env): MisConnection[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(`${file}: cannot be read; expected the MIS connections file (MIS_SCHOOLS_FILE)`, [{ file, message: 'the file is missing or unreadable' }]);
  }
  const json = parseJsonText(text, file, 'the MIS connections file ({ "schools": [{ "schoolId", "system", "tokenEnv" }] })');
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new InputError(`${file} is not a valid MIS connections file`, parsed.error.issues.map((i) => ({ file, field: i.path.join('.') || '(file)', message: i.message })));
  }
  const problems = parsed.data.schools.flatMap((s, i) => (s.tokenEnv && !env[s.tokenEnv]?.trim() ? [{ file, location: `school ${s.schoolId}`, field: `schools.${i}.tokenEnv`, message: `names ${s.tokenEnv}, which is not set in the environment` }] : []));
  if (problems.length > 0) throw new InputError(`${file}: ${problems.length} school token(s) missing`, problems);
  return parsed.data.schools.map((s) => hideToken({ schoolId: s.schoolId, system: s.system, baseUrl: s.baseUrl ?? ASSEMBLY_LIVE_URL, token: s.token ?? env[s.tokenEnv!]!.trim() }));
}

/** The adapter for a connection. */
export function misAdapterFor(connection: MisConnection, pupilIdKey: PupilIdKey, limits: { timeoutMs?: number; backoffMs?: number } = {}): MisAdapter {
  return new AssemblyAdapter({ baseUrl: connection.baseUrl, token: connection.token, pupilIdKey, ...limits });
}

function hideToken(connection: MisConnection): MisConnection {
  const shown = { schoolId: connection.schoolId, system: connection.system, baseUrl: connection.baseUrl, token: '[hidden]' };
  Object.defineProperty(connection, 'toJSON', { value: () => shown, enumerable: false });
  Object.defineProperty(connection, Symbol.for('nodejs.util.inspect.custom'), { value: () => shown, enumerable: false });
  return connection;
}
