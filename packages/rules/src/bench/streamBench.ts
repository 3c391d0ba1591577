/**
 * Benchmark of `rules evaluate` as a user runs it on a large cohort: the synthetic cohort
 * streamed as NDJSON into the command's standard input (`--pupils -`, `--format ndjson`, the
 * output counted and thrown away), for each size given, on one thread and on worker threads.
 * Prints each run's wall-clock pupils/s and the command's peak RSS (Linux: VmHWM from /proc),
 * so memory can be seen to stay flat as the cohort grows. Generation runs in this process,
 * beside the command: on a 2-core machine it takes a share of the cores.
 *
 *   pnpm bench:stream [--sizes 100000,2000000] [--threads 1,2] [--as-of 2025-10-17] [--seed 20250901]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundledCalendar } from '../calendar/bundled.js';
import { isIsoDate } from '../dates.js';
import { syntheticCohort } from './cohort.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,2000000' },
    threads: { type: 'string', default: '1,2' },
    'as-of': { type: 'string', default: '2025-10-17' },
    seed: { type: 'string', default: '20250901' },
  },
  strict: true,
});

const list = (name: string, text: string) =>
  text.split(',').map((t) => {
    const n = Number(t);
    if (!Number.isInteger(n) || n < 0) {
      console.error(`--${name} expects whole numbers separated by commas, found "${text}"`);
      process.exit(2);
    }
    return n;
  });
const sizes = list('sizes', args.sizes);
const threadCounts = list('threads', args.threads);
const asOf = args['as-of'];
const seed = Number(args.seed);
if (!isIsoDate(asOf)) {
  console.error(`--as-of expects a date written YYYY-MM-DD, found "${asOf}"`);
  process.exit(2);
}
const calendar = bundledCalendar('2025/26');
const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
const calendarFile = fileURLToPath(new URL('../../data/calendars/england-2025-26.example.json', import.meta.url));

/** The peak resident memory of a process so far (kB), or undefined where /proc is not there. */
function peakRss(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function run(pupils: number, threads: number) {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'evaluate', '--calendar', calendarFile, '--pupils', '-', '--as-of', asOf, '--format', 'ndjson', '--threads', String(threads)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let peak = 0;
  const watch = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!) ?? 0)), 100);
  let outBytes = 0;
  let inBytes = 0;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    outBytes += chunk.length;
    peak = Math.max(peak, peakRss(child.pid!) ?? 0);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  // Feed the cohort, respecting the pipe's back-pressure.
  let buffer: string[] = [];
  for (const pupil of syntheticCohort({ pupils, seed, calendar, asOf })) {
    buffer.push(JSON.stringify(pupil));
    if (buffer.length === 500) {
      const text = `${buffer.join('\n')}\n`;
      inBytes += text.length;
      buffer = [];
      if (!child.stdin.write(text)) await new Promise((resolve) => child.stdin.once('drain', resolve));
    }
  }
  if (buffer.length) {
    const text = `${buffer.join('\n')}\n`;
    inBytes += text.length;
    child.stdin.write(text);
  }
  child.stdin.end();
  const code = await exited;
  clearInterval(watch);
  const seconds = (performance.now() - started) / 1000;
  return { code, seconds, peak, inBytes, outBytes, summary: stderr.trim().split('\n')[0]?.slice(0, 120) ?? '' };
}

async function main(): Promise<void> {
  console.log(`rules evaluate --pupils - --format ndjson, fed the synthetic cohort as of ${asOf} (seed ${seed}); ${availableParallelism()} cores; Node ${process.version}`);
  console.log('  pupils       threads   wall s   pupils/s   input MB   output MB   peak RSS MB');
  let failed = false;
  for (const pupils of sizes) {
    for (const threads of threadCounts) {
      const r = await run(pupils, threads);
      const n = (x: number) => Math.round(x).toLocaleString('en-GB');
      console.log(
        `  ${n(pupils).padStart(9)}   ${String(threads).padStart(7)}   ${r.seconds.toFixed(1).padStart(6)}   ${n(pupils / r.seconds).padStart(8)}   ${(r.inBytes / 1e6).toFixed(0).padStart(8)}   ${(r.outBytes / 1e6).toFixed(0).padStart(9)}   ${r.peak ? (r.peak / 1024).toFixed(0).padStart(11) : '(no /proc)'.padStart(11)}`,
      );
      if (r.code !== 0) {
        failed = true;
        console.log(`    exit code ${r.code}: ${r.summary}`);
      }
    }
  }
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
