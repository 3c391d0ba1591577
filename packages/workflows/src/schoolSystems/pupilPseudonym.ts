/**
 * The product's pupil id, derived from the id the school's own system (MIS) gives the pupil — the
 * UPN or the school's own reference — by a keyed hash. The same pupil gets the same id on every
 * import (so a newer export updates the record rather than adding a second one), two schools'
 * ids for one UPN differ (the school is part of what is hashed), and without the deployment's
 * key the MIS id cannot be recovered by hashing every possible UPN (a plain hash could be: a UPN
 * is a check letter, an LA number, a school number and a few digits).
 *
 * It is a pseudonym, not anonymity: whoever holds the key and the school's roll can re-identify
 * every pupil, and the record's other facts can single a pupil out in a small cohort.
 */
import { createHmac } from 'node:crypto';
import { ID_MAX_LENGTH } from '@before-exclusion/rules';

/** The deployment secret a pupil id is derived with; read from configuration by the caller. */
export interface PupilIdKey {
  readonly secret: string;
  /** True for the fixed demo key: ids made with it protect nothing. */
  readonly demo: boolean;
}

/** The shortest secret accepted: 32 characters (e.g. `openssl rand -hex 16` gives exactly that). */
export const PUPIL_ID_KEY_MIN_LENGTH = 32;

/** The prefix of every derived id, so a derived id is told apart from a hand-made one. */
export const PSEUDONYM_PREFIX = 'px-';

/**
 * The fixed key for local and demo use only. It is public (it is in this file): ids derived with
 * it can be reversed by anyone with a list of UPNs.
 */
export const DEMO_PUPIL_ID_KEY: PupilIdKey = Object.freeze({
  secret: 'DEMO ONLY - public key - never use with real pupils (before-exclusion)',
  demo: true,
});

/** A pupil id key that cannot be used, saying why and what is accepted. */
export class PupilIdKeyRefused extends Error {
  override name = 'PupilIdKeyRefused';
}

/**
 * Reads the deployment secret from a configuration value (such as env `PUPIL_ID_KEY`).
 *
 * @example pupilIdKey(process.env.PUPIL_ID_KEY, 'PUPIL_ID_KEY')
 * @param value the secret as configured; absent or blank is refused
 * @param where what to name in the refusal (the variable or setting it came from)
 */
export function pupilIdKey(value: string | undefined, where = 'PUPIL_ID_KEY'): PupilIdKey {
  const secret = value?.trim() ?? '';
  if (secret.length === 0) {
    throw new PupilIdKeyRefused(
      `${where} is not set; accepted: a secret of at least ${PUPIL_ID_KEY_MIN_LENGTH} characters (e.g. from \`openssl rand -hex 32\`), kept with the deployment's other secrets`,
    );
  }
  if (secret.length < PUPIL_ID_KEY_MIN_LENGTH) {
    throw new PupilIdKeyRefused(
      `${where} is ${secret.length} characters long; accepted: at least ${PUPIL_ID_KEY_MIN_LENGTH} characters (e.g. from \`openssl rand -hex 32\`)`,
    );
  }
  if (secret === DEMO_PUPIL_ID_KEY.secret) {
    throw new PupilIdKeyRefused(`${where} is the public demo key; accepted: a secret of the deployment's own`);
  }
  return { secret, demo: false };
}

/**
 * The product's id for a pupil: `px-` and 32 hex digits (128 bits of HMAC-SHA256 over the school
 * and the MIS id), within the store's id rules (1–64 printable characters).
 *
 * The MIS id is trimmed and, as a UPN is written in capitals, compared without regard to case;
 * everything else about it counts.
 *
 * @example pupilPseudonym(key, 'URN-100001', 'A123456789012')  // 'px-…'
 * @param key the deployment secret ({@link pupilIdKey}, or {@link DEMO_PUPIL_ID_KEY} in demo mode)
 * @param schoolId the school's id in the product: the same MIS id in two schools gives two ids
 * @param misId the UPN or the school's own pupil reference
 */
export function pupilPseudonym(key: PupilIdKey, schoolId: string, misId: string): string {
  const school = schoolId.trim();
  const pupil = misId.trim().toUpperCase();
  if (school.length === 0) throw new PupilIdKeyRefused('a pupil id needs the school\'s id; none was given');
  if (pupil.length === 0) throw new PupilIdKeyRefused('a pupil id needs the pupil\'s id in the school\'s system (UPN or reference); none was given');
  // Length-prefixed so that no (school, pupil) pair can be shifted into another with the same bytes.
  const message = `pupil-id/1\n${school.length}:${school}\n${pupil.length}:${pupil}`;
  const digest = createHmac('sha256', key.secret).update(message, 'utf8').digest('hex').slice(0, 32);
  const id = `${PSEUDONYM_PREFIX}${digest}`;
  // A guard for the store's rule, should the format above ever change.
  if (id.length > ID_MAX_LENGTH) throw new Error(`derived pupil id longer than ${ID_MAX_LENGTH}`);
  return id;
}
