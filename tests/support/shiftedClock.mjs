/**
 * Loaded into a service with `node --import`: its clock, moved by the test. TEST_CLOCK_FILE holds
 * an offset in milliseconds from the real clock; the service's `Date.now()` and `new Date()` run
 * from the real time plus that offset, read again every 50 ms — so a test sets the time, then
 * moves it on ("the meeting's time has come") while the service keeps running. Timers are not
 * touched: only the time the service reads. The clock at the test's edge, never the product's code.
 */
import { readFileSync } from 'node:fs';

const file = process.env.TEST_CLOCK_FILE;
const RealDate = Date;
let offset = 0;
const read = () => {
  try {
    const value = Number(readFileSync(file, 'utf8').trim());
    if (Number.isFinite(value)) offset = value;
  } catch {
    // Not written yet: the real clock.
  }
};

if (file) {
  read();
  setInterval(read, 50).unref();
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
}
