/**
 * `rules evaluate`: the pupils of a file or a pipe, evaluated in one pass, all-or-nothing,
 * in bounded memory. Lines go in batches to worker threads (one a core, for a large file or a
 * pipe) or are evaluated here; results come back in order; each pupil id is checked against
 * the ids seen so far (a compact hash set); triggers are held back in an {@link OutputSpool}
 * until the last line has been checked, then written — or, if any line had a problem,
 * discarded and every problem listed. Memory stays flat whatever the file's size.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SchoolCalendar } from '../calendar/schoolCalendar.js';
import type { IsoDate } from '../dates.js';
import { RulesEvaluator } from '../evaluate.js';
import { InputError, type Problem } from '../problems.js';
import type { RulePack } from '../rulePack.js';
import { evaluateLines, evaluateRaw, type BatchContext, type BatchResult, type PlacedProblem } from './evaluateBatch.js';
import type { BatchRequest, WorkerSetup } from './evaluateWorker.js';
import { OutputSpool } from './outputSpool.js';
import { openPupilSource, sourceName, sourceSize } from './pupilSource.js';
import { SeenPupils } from './seenPupils.js';
import { triggerWriter, type Format } from './triggerOutput.js';

export interface EvaluatePupilsOptions {
  /** A path, or `-` for standard input. */
  readonly pupils: string;
  readonly calendarPath: string;
  readonly calendar: SchoolCalendar;
  readonly rulesPath: string | undefined;
  readonly rules: RulePack;
  readonly asOf: IsoDate;
  readonly format: Format;
  /** Threads evaluating (this one and workers); by default one a core for a pipe or a file over {@link LARGE_FILE} bytes, else this one. */
  readonly threads?: number;
  readonly out?: NodeJS.WritableStream;
  readonly err?: NodeJS.WritableStream;
}

/** A file larger than this is evaluated on worker threads (their start-up is ~100 ms). */
export const LARGE_FILE = 16 * 1024 * 1024;
/** Lines a batch holds; and text, at most, so a file of large records keeps batches small. */
const BATCH_LINES = 250;
const BATCH_CHARS = 1024 * 1024;
/** Problems listed in full; past this many, the rest are counted. */
const PROBLEMS_LISTED = 1000;

/** Evaluates, writes the triggers and the summary; returns the exit code. @throws InputError listing the problems. */
export async function evaluatePupils(options: EvaluatePupilsOptions): Promise<number> {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const file = sourceName(options.pupils);
  const spool = new OutputSpool();
  const writer = triggerWriter(options.format, spool);
  const seen = new SeenPupils();
  const counts = new Map<string, number>();
  const problems: PlacedProblem[] = [];
  let problemCount = 0;
  let records = 0;
  let fired = 0;

  /** Takes one batch's result, in file order. */
  const take = (result: BatchResult) => {
    records += result.records;
    const found: PlacedProblem[] = [...result.problems];
    result.ids.forEach((id, i) => {
      const first = seen.see(id, result.lines[i]!);
      if (first !== undefined) {
        found.push({
          line: result.lines[i]!,
          afterIdCheck: false,
          problem: { file, location: `${result.locations[i]} (pupil ${id})`, field: 'id', message: `pupil ${id} already appears at line ${first}; one record per pupil` },
        });
      }
    });
    if (found.length > 0) {
      problemCount += found.length;
      found.sort((a, b) => a.line - b.line || Number(a.afterIdCheck) - Number(b.afterIdCheck));
      problems.push(...found.slice(0, Math.max(0, PROBLEMS_LISTED - problems.length)));
      spool.discard();
    }
    if (problemCount > 0) return;
    for (const block of result.blocks) writer.write(block);
    for (const [trigger, n] of Object.entries(result.counts)) {
      fired += n;
      counts.set(trigger, (counts.get(trigger) ?? 0) + n);
    }
  };

  try {
    const source = await openPupilSource(options.pupils);
    const context: BatchContext = { file, calendar: options.calendar, asOf: options.asOf, evaluator: new RulesEvaluator(options.rules), format: options.format };
    if (source.kind === 'records') {
      take(await evaluateRaw(source.records, context));
    } else {
      const size = await sourceSize(options.pupils);
      const threads = Math.max(0, Math.min(options.threads ?? (size === undefined || size > LARGE_FILE ? availableParallelism() : 0), 16));
      const batches = batchesOf(source.lines);
      if (threads <= 1) {
        for await (const batch of batches) take(await evaluateLines(batch.lines, batch.firstLine, context, problemCount === 0));
      } else {
        await onWorkers(threads, { file, calendarPath: options.calendarPath, rulesPath: options.rulesPath, asOf: options.asOf, format: options.format }, context, batches, () => problemCount === 0, take);
      }
    }
    if (records === 0 && problemCount === 0) {
      problems.push({ line: 0, afterIdCheck: false, problem: { file, message: 'no pupil records found' } });
      problemCount++;
    }
    if (problemCount > 0) {
      const listed: Problem[] = problems.map((p) => p.problem);
      if (problemCount > listed.length) listed.push({ file, message: `… and ${(problemCount - listed.length).toLocaleString('en-GB')} more problems (the first ${PROBLEMS_LISTED.toLocaleString('en-GB')} are listed); fix these and run again` });
      throw new InputError(`${file}: ${problemCount.toLocaleString('en-GB')} problem${problemCount === 1 ? '' : 's'}; nothing was evaluated`, listed);
    }
    const byTrigger = [...counts].sort((a, b) => a[0].localeCompare(b[0])).map(([k, n]) => `${k} ${n}`).join(', ');
    const summary = `${records} pupil${records === 1 ? '' : 's'} evaluated as of ${options.asOf} on ${options.calendar.name} with rules "${options.rules.name}": ${fired} trigger${fired === 1 ? '' : 's'}${byTrigger ? ` (${byTrigger})` : ''}`;
    writer.end(summary);
    await spool.sendTo(out);
    if (options.format !== 'table') err.write(`${summary}\n`);
    return 0;
  } finally {
    spool.discard();
  }
}

interface Batch {
  readonly lines: string[];
  readonly firstLine: number;
}

async function* batchesOf(lines: AsyncIterable<string>): AsyncGenerator<Batch> {
  let batch: string[] = [];
  let chars = 0;
  let firstLine = 1;
  for await (const line of lines) {
    batch.push(line);
    chars += line.length;
    if (batch.length === BATCH_LINES || chars >= BATCH_CHARS) {
      yield { lines: batch, firstLine };
      firstLine += batch.length;
      batch = [];
      chars = 0;
    }
  }
  if (batch.length > 0) yield { lines: batch, firstLine };
}

/**
 * Runs batches on `threads` threads — this one and `threads − 1` workers (an isolate fewer than
 * a worker each: less memory, and this thread's reading is light) — at most two in flight a
 * thread (bounded memory), handing results to `take` in the order of the batches.
 */
async function onWorkers(threads: number, setup: WorkerSetup, context: BatchContext, batches: AsyncIterable<Batch>, evaluating: () => boolean, take: (r: BatchResult) => void): Promise<void> {
  // A worker holds a batch or two at a time: a small heap keeps V8 from growing it lazily (flat memory).
  const workers = Array.from(
    { length: threads - 1 },
    () => new Worker(new URL('./evaluateWorker.js', import.meta.url), { workerData: setup, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 } }),
  );
  const pending = new Map<number, { resolve: (r: BatchResult) => void; reject: (e: Error) => void }>();
  let failure: Error | undefined;
  for (const worker of workers) {
    worker.on('message', (message: { seq: number; result?: BatchResult; error?: string }) => {
      const waiter = pending.get(message.seq)!;
      pending.delete(message.seq);
      if (message.result) waiter.resolve(message.result);
      else waiter.reject(new Error(message.error));
    });
    worker.on('error', (error) => {
      failure ??= error;
      for (const waiter of pending.values()) waiter.reject(error);
    });
  }
  const inFlight: Promise<BatchResult>[] = [];
  let seq = 0;
  const drainOne = async () => take(await inFlight.shift()!);
  try {
    for await (const batch of batches) {
      if (failure) throw failure;
      const turn = seq % threads;
      const request: BatchRequest = { seq, lines: batch.lines, firstLine: batch.firstLine, evaluate: evaluating() };
      const answer =
        turn === workers.length
          ? evaluateLines(request.lines, request.firstLine, context, request.evaluate)
          : new Promise<BatchResult>((resolve, reject) => {
              pending.set(request.seq, { resolve, reject });
              workers[turn]!.postMessage(request);
            });
      // Awaited in order below; a failure before then is not an unhandled rejection.
      answer.catch(() => undefined);
      inFlight.push(answer);
      seq++;
      if (inFlight.length >= threads * 2) await drainOne();
    }
    while (inFlight.length > 0) await drainOne();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
