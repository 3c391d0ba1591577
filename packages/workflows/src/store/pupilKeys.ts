/**
 * Each pupil's data key: what is written about a pupil in words (PEAP answers, a decision's
 * rationale, notes, letters, a display name) is sealed with it before it reaches the database,
 * so erasing the pupil is destroying one key (crypto-shredding). The audit chain hashes what is
 * stored — the sealed text — so nothing it hashed changes when a key goes and `verify` still
 * passes, while the words themselves can no longer be read by anyone.
 *
 * Sealing is AES-256-GCM (node:crypto) with a random 96-bit nonce and the pupil's id as
 * additional data, so sealed text moved onto another pupil does not open. Each data key is kept
 * wrapped (AES-256-GCM again) by the deployment's key, which the database does not hold.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreRefused } from '../errors.js';
import type { Database, Queryable } from './database.js';

/** What sealed text starts with: `sealed:v1:<pupil id>:<base64url of nonce, tag, ciphertext>`. */
export const SEALED_PREFIX = 'sealed:v1:';
/** What sealed text reads as once its pupil's key has been destroyed. */
export const ERASED_TEXT = '[erased]';

/** The deployment key: 32 bytes, given as 64 hex characters. */
const KEY_HEX = /^[0-9a-fA-F]{64}$/;

function readKeyFile(keyFile: string): Buffer {
  const kept = readFileSync(keyFile, 'utf8').trim();
  if (!KEY_HEX.test(kept)) throw new PupilDataKeyRefused(`${keyFile} does not hold a key (64 hex characters); set PUPIL_DATA_KEY or put the right file back`);
  return Buffer.from(kept, 'hex');
}

/** Where a store without PUPIL_DATA_KEY keeps its deployment key: beside its audit anchor. */
export function pupilKeyFile(anchorPath: string): string {
  return join(dirname(anchorPath), 'pupil-data.key');
}

/**
 * A store copied (moved, backed up, restored) next to another anchor takes its key file along,
 * or its sealed text would not open there. Nothing to do when both are one file, or there is none.
 * @throws StoreRefused when the target already has another key: it belongs to another store.
 */
export function carryKeyFile(fromAnchorPath: string, toAnchorPath: string): void {
  if (!keyFileNeeded(fromAnchorPath, toAnchorPath)) return;
  const to = pupilKeyFile(toAnchorPath);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(pupilKeyFile(fromAnchorPath), to);
  chmodSync(to, 0o600);
}

/**
 * Whether a copy next to `toAnchorPath` needs the key file from beside `fromAnchorPath`: checked
 * before copying anything, so a copy that could not open its text is refused with nothing written.
 * @throws StoreRefused when the target already has another key.
 */
export function keyFileNeeded(fromAnchorPath: string, toAnchorPath: string): boolean {
  const from = pupilKeyFile(fromAnchorPath);
  const to = pupilKeyFile(toAnchorPath);
  if (!existsSync(from)) return false;
  if (!existsSync(to)) return true;
  if (realpathSync(from) === realpathSync(to) || readFileSync(from, 'utf8').trim() === readFileSync(to, 'utf8').trim()) return false;
  throw new StoreRefused(`${to} holds another store's pupil data key: the copy's sealed text would not open with it; move it aside, or set PUPIL_DATA_KEY for both`);
}

/** What was asked for was a pupil's data, and it has been erased: nothing to show, nothing more to record. */
export class PupilDataErased extends StoreRefused {
  override name = 'PupilDataErased';
}

/** A deployment key refused, saying why and what is accepted. */
export class PupilDataKeyRefused extends StoreRefused {
  override name = 'PupilDataKeyRefused';
}

/** The pupil a piece of text is about: their key is made for their school on first use. */
export interface SealFor {
  readonly pupilId: string;
  readonly schoolId: string;
}

interface KeyRow {
  wrapped_key: string | null;
  erased_at: string | null;
}

export class PupilKeys {
  /** The deployment key, read when first needed: a store that seals nothing never makes a key file. */
  readonly #loadKey: () => Buffer;
  #deploymentKeyRead: Buffer | undefined;
  /** Data keys already unwrapped, by their wrapped form: a destroyed key is never found again, as its row is read each time. */
  readonly #unwrapped = new Map<string, Buffer>();

  constructor(deploymentKey: Buffer | (() => Buffer)) {
    if (Buffer.isBuffer(deploymentKey) && deploymentKey.length !== 32) throw new PupilDataKeyRefused('the pupil data key must be 32 bytes');
    this.#loadKey = Buffer.isBuffer(deploymentKey) ? () => deploymentKey : deploymentKey;
  }

  get #deploymentKey(): Buffer {
    return (this.#deploymentKeyRead ??= this.#loadKey());
  }

  /**
   * The keys of a deployment: `configured` (PUPIL_DATA_KEY, 64 hex characters) or, without it, a
   * random key kept in `keyFile` (readable by its owner only) — fine for a trial, not for
   * production: whoever copies that file with the database can read every pupil's text.
   * @throws PupilDataKeyRefused when the configured key is not 64 hex characters.
   */
  static from(configured: string | undefined, keyFile: string): PupilKeys {
    const given = configured?.trim();
    if (given) {
      if (!KEY_HEX.test(given)) throw new PupilDataKeyRefused(`PUPIL_DATA_KEY is not a key: accepted are 64 hex characters (32 bytes), e.g. from \`openssl rand -hex 32\` (it is ${given.length} characters)`);
      return new PupilKeys(Buffer.from(given, 'hex'));
    }
    return new PupilKeys(() => {
      try {
        mkdirSync(dirname(keyFile), { recursive: true });
        // 'wx': of two instances starting together, one makes the file and the other reads it.
        if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
        chmodSync(keyFile, 0o600);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(keyFile);
        throw new PupilDataKeyRefused(`cannot keep the pupil data key in ${keyFile} (${(error as NodeJS.ErrnoException).code ?? 'unwritable'}): set PUPIL_DATA_KEY (64 hex characters), or let this user write that folder`);
      }
      return readKeyFile(keyFile);
    });
  }

  /**
   * Seals `text` with the pupil's key, inside the write `tx` that stores it (making the key on
   * first use).
   * @throws StoreRefused when the pupil's data has been erased: nothing more is kept about them.
   */
  async seal(tx: Queryable, pupil: SealFor, text: string, at: string): Promise<string> {
    const key = await this.#keyFor(tx, pupil, at);
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(pupil.pupilId, 'utf8'));
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${pupil.pupilId}:${Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** Seals every string in `value` (a string, or a list of strings); anything else is kept as it is. */
  async sealValue<T>(tx: Queryable, pupil: SealFor, value: T, at: string): Promise<T> {
    if (typeof value === 'string') return (await this.seal(tx, pupil, value, at)) as T;
    if (Array.isArray(value)) return (await Promise.all(value.map((v: unknown) => this.sealValue(tx, pupil, v, at)))) as T;
    return value;
  }

  /**
   * `value` with every sealed string in it opened — `ERASED_TEXT` where the pupil's key has been
   * destroyed. Objects and lists are copied, not changed.
   */
  async open<T>(q: Queryable, value: T): Promise<T> {
    const keys = new Map<string, Buffer | undefined>();
    const walk = async (v: unknown): Promise<unknown> => {
      if (typeof v === 'string') return v.startsWith(SEALED_PREFIX) ? this.#openText(q, v, keys) : v;
      if (Array.isArray(v)) return Promise.all(v.map(walk));
      if (v && typeof v === 'object') {
        const entries = await Promise.all(Object.entries(v).map(async ([k, inner]) => [k, await walk(inner)] as const));
        return Object.fromEntries(entries);
      }
      return v;
    };
    return (await walk(value)) as T;
  }

  /** Whether the pupil's key has been destroyed, and when. */
  async erasedOn(q: Queryable, pupilId: string): Promise<string | undefined> {
    return (await q.get<KeyRow>('SELECT wrapped_key, erased_at FROM pupil_keys WHERE pupil_id = ?', [pupilId]))?.erased_at ?? undefined;
  }

  /**
   * Destroys the pupil's key inside `tx` (a row is kept saying when, so nothing is sealed for
   * them again). Call `zeroFreedSpace` before the transaction and `dropOldCopies` after it commits.
   */
  async destroy(tx: Queryable, pupil: SealFor, at: string): Promise<void> {
    const changed = await tx.run('UPDATE pupil_keys SET wrapped_key = NULL, erased_at = ? WHERE pupil_id = ?', [at, pupil.pupilId]);
    if (changed === 0) await tx.run('INSERT INTO pupil_keys (pupil_id, school_id, wrapped_key, created_at, erased_at) VALUES (?, ?, NULL, ?, ?)', [pupil.pupilId, pupil.schoolId, at, at]);
  }

  /**
   * Before a write that removes what must not linger (a destroyed key, plaintext now sealed):
   * SQLite zeroes what a write frees from now on (`secure_delete`), not leaving it in free space.
   */
  async zeroFreedSpace(db: Database): Promise<void> {
    if (db.dialect === 'sqlite') await db.all('PRAGMA secure_delete = ON');
  }

  /**
   * After such a write commits: the database's older copies of `table`'s rows go too — SQLite's
   * write-ahead log (checkpointed and truncated), PostgreSQL's dead row versions (the table
   * rewritten) — and this process's unwrapped keys.
   */
  async dropOldCopies(db: Database, table: 'pupil_keys' | 'letters'): Promise<void> {
    this.#unwrapped.clear();
    if (db.dialect === 'sqlite') await db.all('PRAGMA wal_checkpoint(TRUNCATE)');
    else await db.run(`VACUUM FULL ${table}`);
  }

  async #keyFor(tx: Queryable, pupil: SealFor, at: string): Promise<Buffer> {
    const stored = await this.#storedKey(tx, pupil);
    if (stored) return stored;
    // Two seals for a pupil's first text can race here (a list's strings sealed together, or two
    // instances): whichever insert lands first makes the key, and the other uses it.
    const wrapped = this.#wrap(pupil.pupilId, randomBytes(32));
    await tx.run('INSERT INTO pupil_keys (pupil_id, school_id, wrapped_key, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (pupil_id) DO NOTHING', [pupil.pupilId, pupil.schoolId, wrapped, at]);
    const made = await this.#storedKey(tx, pupil);
    if (!made) throw new StoreRefused(`pupil ${pupil.pupilId}'s key was not kept: try again`);
    return made;
  }

  async #storedKey(tx: Queryable, pupil: SealFor): Promise<Buffer | undefined> {
    const row = await tx.get<KeyRow>('SELECT wrapped_key, erased_at FROM pupil_keys WHERE pupil_id = ?', [pupil.pupilId]);
    if (row?.erased_at) throw new PupilDataErased(`pupil ${pupil.pupilId}'s data was erased on ${row.erased_at.slice(0, 10)}: nothing more is recorded about them`);
    return row?.wrapped_key ? this.#unwrap(pupil.pupilId, row.wrapped_key) : undefined;
  }

  async #openText(q: Queryable, sealed: string, keys: Map<string, Buffer | undefined>): Promise<string> {
    const rest = sealed.slice(SEALED_PREFIX.length);
    const split = rest.lastIndexOf(':');
    const pupilId = rest.slice(0, split);
    if (!keys.has(pupilId)) {
      const row = await q.get<KeyRow>('SELECT wrapped_key, erased_at FROM pupil_keys WHERE pupil_id = ?', [pupilId]);
      keys.set(pupilId, row?.wrapped_key ? this.#unwrap(pupilId, row.wrapped_key) : undefined);
    }
    const key = keys.get(pupilId);
    if (!key) return ERASED_TEXT;
    const bytes = Buffer.from(rest.slice(split + 1), 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(pupilId, 'utf8'));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      // GCM's tag: the text was changed, cut, or moved here from another pupil.
      throw new StoreRefused(`text sealed for pupil ${pupilId} does not open: it was altered in the database, or moved from another pupil`);
    }
  }

  #wrap(pupilId: string, key: Buffer): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#deploymentKey, nonce);
    cipher.setAAD(Buffer.from(`pupil-key:${pupilId}`, 'utf8'));
    const body = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64');
  }

  #unwrap(pupilId: string, wrapped: string): Buffer {
    const known = this.#unwrapped.get(wrapped);
    if (known) return known;
    const bytes = Buffer.from(wrapped, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#deploymentKey, bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(`pupil-key:${pupilId}`, 'utf8'));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const key = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
      this.#unwrapped.set(wrapped, key);
      return key;
    } catch {
      throw new PupilDataKeyRefused(`pupil ${pupilId}'s data key does not open with this deployment's PUPIL_DATA_KEY: the key is not the one the store was written with`);
    }
  }
}
