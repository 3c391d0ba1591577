/**
 * Structured logs, one JSON object a line. Children's data never reaches them: the fields a log
 * line may carry are listed, and they are ids, verbs, counts and timings — never a pupil's
 * details, a name, or an answer.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The only fields a log line may carry. */
export interface LogFields {
  readonly caseId?: string;
  readonly staffId?: string;
  readonly channel?: string;
  readonly verb?: string;
  readonly kind?: string;
  readonly count?: number;
  readonly ms?: number;
  readonly status?: number | string;
  readonly port?: number;
  readonly url?: string;
  readonly error?: string;
  readonly [counter: `n${string}`]: number | undefined;
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  const at = (l: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (ORDER[l] >= ORDER[level]) write(JSON.stringify({ time: new Date().toISOString(), level: l, msg, ...fields }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** An error's message for a log line: its first line, shortened (messages can quote input). */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0]!.slice(0, 200);
}
