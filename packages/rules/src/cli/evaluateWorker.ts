/**
 * A worker thread of `rules evaluate`: loads the calendar and rules itself, then evaluates
 * the batches of lines the main thread sends, answering each with its {@link BatchResult}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RulesEvaluator } from '../evaluate.js';
import { loadCalendarFile } from '../node/calendarFile.js';
import { loadRulePackFile } from '../node/rulePackFile.js';
import { defaultRulePack } from '../rulePack.js';
import { evaluateLines, type BatchContext } from './evaluateBatch.js';
import type { Format } from './triggerOutput.js';

/** What the main thread tells a worker when it starts it. */
export interface WorkerSetup {
  readonly file: string;
  readonly calendarPath: string;
  readonly rulesPath: string | undefined;
  readonly asOf: string;
  readonly format: Format;
}

/** One batch of lines to evaluate. */
export interface BatchRequest {
  readonly seq: number;
  readonly lines: string[];
  readonly firstLine: number;
  /** False once a problem has been found: only check (nothing will be written). */
  readonly evaluate: boolean;
}

const setup = workerData as WorkerSetup;
const port = parentPort!;
const ready: Promise<BatchContext> = (async () => {
  const [calendar, rules] = await Promise.all([loadCalendarFile(setup.calendarPath), setup.rulesPath ? loadRulePackFile(setup.rulesPath) : defaultRulePack()]);
  return { file: setup.file, calendar, asOf: setup.asOf, evaluator: new RulesEvaluator(rules), format: setup.format };
})();

port.on('message', (request: BatchRequest) => {
  ready
    .then((context) => evaluateLines(request.lines, request.firstLine, context, request.evaluate))
    .then((result) => port.postMessage({ seq: request.seq, result }))
    .catch((error: unknown) => port.postMessage({ seq: request.seq, error: error instanceof Error ? error.message : String(error) }));
});
