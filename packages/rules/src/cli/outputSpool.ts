/**
 * Output held back until the whole input has been checked (all-or-nothing: a file with a
 * problem prints nothing but its problems), in bounded memory: the first few megabytes in
 * memory, the rest in a private temporary file, removed when done or when the process exits.
 */
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** Held in memory up to this much text; past it, everything goes to the temporary file. */
const IN_MEMORY = 1024 * 1024;

export class OutputSpool {
  #chunks: string[] = [];
  #buffered = 0;
  #file: { dir: string; path: string; fd: number } | undefined;
  readonly #cleanUp = () => this.discard();

  write(text: string): void {
    this.#chunks.push(text);
    this.#buffered += text.length;
    if (this.#buffered >= IN_MEMORY) this.#flush();
  }

  #flush(): void {
    if (!this.#file) {
      // A folder only this user can read (mkdtemp makes it 0700): the output names pupils by id.
      const dir = mkdtempSync(join(tmpdir(), 'rules-output-'));
      const path = join(dir, 'triggers');
      this.#file = { dir, path, fd: openSync(path, 'w', 0o600) };
      process.once('exit', this.#cleanUp);
    }
    writeSync(this.#file.fd, this.#chunks.join(''));
    this.#chunks = [];
    this.#buffered = 0;
  }

  /** Writes everything held to `out` (respecting its back-pressure), then removes the file. */
  async sendTo(out: NodeJS.WritableStream): Promise<void> {
    if (!this.#file) {
      const text = this.#chunks.join('');
      this.#chunks = [];
      if (text && !out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
      return;
    }
    this.#flush();
    closeSync(this.#file.fd);
    this.#file.fd = -1;
    await pipeline(createReadStream(this.#file.path), out, { end: false });
    this.discard();
  }

  /** Drops what is held (nothing will be written): the temporary file goes too. */
  discard(): void {
    this.#chunks = [];
    if (!this.#file) return;
    if (this.#file.fd >= 0) closeSync(this.#file.fd);
    rmSync(this.#file.dir, { recursive: true, force: true });
    process.off('exit', this.#cleanUp);
    this.#file = undefined;
  }
}
