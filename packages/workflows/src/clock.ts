/** Time, injected so tests and `cases tick --now` can set it. School dates are English dates. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

const LONDON = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The date in England at `instant`, as YYYY-MM-DD. */
export function englishDate(instant: Date): string {
  return LONDON.format(instant);
}
