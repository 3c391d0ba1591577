/**
 * @before-exclusion/rules — school calendars, school-day arithmetic and the triggers around
 * exclusion in English schools: PEAP, EBSNA, statutory duties and deadlines. Each trigger is
 * effective-dated, sourced and explained.
 *
 * This entry is browser-safe: no `node:` imports; the default rules and the example calendars
 * are embedded as data. File readers are in `@before-exclusion/rules/node`.
 */
export { version } from './generated/version.js';
export { SchoolCalendar, OutsideCalendarError, TERMS } from './calendar/schoolCalendar.js';
export type { CalendarSpec, HalfTerm, SchoolSession, Term } from './calendar/schoolCalendar.js';
export { calendarFileSchema, checkCalendarSpec, fromSpec, parseCalendar, parseCalendarText } from './calendar/calendarFile.js';
export { parseIcsCalendar } from './calendar/ics.js';
export { bundledCalendar, BUNDLED_CALENDARS } from './calendar/bundled.js';

export {
  ATTENDANCE_MARKS,
  EBSNA_INDICATORS,
  EXCLUSION_CATEGORIES,
  EXCLUSION_CATEGORY_SYNONYMS,
  EXCLUSION_REASONS,
  countsAsAttending,
  countsAsPossible,
} from './codes.js';
export type { AttendanceMark, EbsnaIndicator, ExclusionCategory, ExclusionReason, MarkMeaning } from './codes.js';

export { addDays, dayNumber, isIsoDate, isoDate, longDate, notARealDate, shortDate, weekdayName } from './dates.js';
export type { IsoDate, Session } from './dates.js';

export { InputError, PROBLEM_CODES, described, formatProblem, printable, quoted } from './problems.js';
export { duplicateKey, parseJsonText } from './jsonText.js';
export type { DuplicateKey } from './jsonText.js';
export type { CodedProblem, Problem, ProblemCode } from './problems.js';

export { ID_MAX_LENGTH, MAX_EXCLUSIONS, MAX_MOVEMENTS, PUPIL_RECORD_FORMAT, REVIEW_ATTENDEES, exclusionSchema, managedMoveSchema, offSiteDirectionSchema, partTimeTimetableSchema, safeguardingSeparationSchema, identifier, leftBefore, onRollDuring, parsePupilRecord, pupilRecordJsonSchema, pupilRecordSchema } from './pupilRecord.js';
export type { AttendanceDay, Exclusion, ManagedMove, OffSiteDirection, ParsedPupil, PartTimeTimetable, PupilRecord, PupilRecordInput, SafeguardingSeparation } from './pupilRecord.js';

export { checkRecordOnCalendar, derivePupilFacts } from './facts.js';
export type { AttendanceFacts, ConsecutiveRun, ExclusionFacts, HalfTermFacts, PupilFacts, TermTotal } from './facts.js';

export { FACTS, SCOPES } from './factCatalog.js';
export type { FactDefinition, Scope } from './factCatalog.js';

export { RulePack, defaultRulePack, isStatutory, parseRule, parseRulePackText } from './rulePack.js';
export { ruleFileSchema, rulePackFileSchema } from './rulePack.js';
export { JSON_SCHEMAS, ruleJsonSchema, rulePackJsonSchema, triggerJsonSchema, triggerSchema } from './schemas.js';
export { TRIGGER_IDS } from './generated/ruleFiles.js';
export type { TriggerId } from './generated/ruleFiles.js';
export { defineFact } from './customFacts.js';
export type { AnyCustomFact, CustomFact, FactType, FactTypes } from './customFacts.js';
export type { ParameterDefinition, Rule, RulePackExtension, RulePackOverrides, RuleSource } from './rulePack.js';

export { RulesEvaluator, evaluatePupil } from './evaluate.js';
export type { EvaluateOptions, Trigger } from './evaluate.js';
export { evaluateMany, evaluateNdjson, linesOf, parseNdjsonLine, recordsFromNdjson } from './pupilStream.js';
export type { EvaluateManyOptions } from './pupilStream.js';
export { readPupilRecord } from './wellFormedRecord.js';
export { CHARACTERISTICS, RulePackComparer, compareRulePacks } from './whatIf.js';
export type { Characteristic, CompareRulePacksOptions, GroupFigures, PupilDifference, RulePackComparison, Shown, TriggerChange, TriggerFigures } from './whatIf.js';

export { assessProposedSuspension, describeAssessment, PROPOSED_ID } from './proposal.js';
export { describeRule } from './describeRule.js';
export type { ProposedSuspension, SuspensionAssessment } from './proposal.js';
