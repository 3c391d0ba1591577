/**
 * A witness outside the host: an append-only record of the audit anchor as it moved, somewhere
 * an attacker on this machine cannot rewrite. Someone who truncates the log and puts back an
 * older anchor (or restores an older copy of the store with its own anchor) agrees with that
 * anchor, but not with the witness, which saw a later row. Two targets: a file on another mount
 * (opened for appending, one JSON line per anchor) and an HTTP webhook (a POST per anchor; a GET
 * of the same URL lists what it holds, for `cases audit verify --witness`). RFC 3161 timestamping
 * is not built.
 */
import { open, readFile } from 'node:fs/promises';

/** One witnessed anchor: the row, when it was witnessed, and a MAC with the anchor's key. */
export interface WitnessEntry {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  readonly mac: string;
}

export interface AuditWitness {
  /** The file or URL (safe to print: a URL's credentials are masked). */
  readonly target: string;
  append(entry: WitnessEntry): Promise<void>;
  /** Every entry the witness holds, oldest first. */
  read(): Promise<WitnessEntry[]>;
}

/** How long an HTTP witness may take to answer. */
const HTTP_TIMEOUT_MS = 5_000;

/**
 * The witness `target` names: an `http(s)://` URL, or a file path.
 * @example auditWitness('/mnt/witness/audit-anchors.ndjson')
 */
export function auditWitness(target: string, options: { readonly timeoutMs?: number } = {}): AuditWitness {
  return /^https?:\/\//i.test(target) ? httpWitness(target, options.timeoutMs ?? HTTP_TIMEOUT_MS) : fileWitness(target);
}

function fileWitness(path: string): AuditWitness {
  return {
    target: path,
    async append(entry) {
      // O_APPEND: each line goes at the end whoever else appends; made durable before it counts.
      const handle = await open(path, 'a', 0o640);
      try {
        await handle.appendFile(`${JSON.stringify(entry)}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    },
    async read() {
      return parseEntries(await readFile(path, 'utf8'), path);
    },
  };
}

function httpWitness(url: string, timeoutMs: number): AuditWitness {
  const target = url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
  return {
    target,
    async append(entry) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(entry), signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    },
    async read() {
      const response = await fetch(url, { headers: { accept: 'application/x-ndjson, application/json' }, signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`the witness ${target} answered HTTP ${response.status}`);
      return parseEntries(await response.text(), target);
    },
  };
}

/** Entries as one JSON array or one JSON object a line. @throws Error naming the line that is not an entry. */
export function parseEntries(text: string, where: string): WitnessEntry[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const values: unknown[] = trimmed.startsWith('[') ? (JSON.parse(trimmed) as unknown[]) : trimmed.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
  return values.map((v, i) => {
    const e = v as Partial<WitnessEntry> | null;
    if (!e || typeof e.seq !== 'number' || typeof e.hash !== 'string' || typeof e.at !== 'string' || typeof e.mac !== 'string') {
      throw new Error(`${where}, entry ${i + 1}: not a witnessed anchor (expected seq, hash, at and mac)`);
    }
    return { seq: e.seq, hash: e.hash, at: e.at, mac: e.mac };
  });
}
