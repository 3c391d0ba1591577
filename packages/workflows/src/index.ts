/**
 * @before-exclusion/workflows — case workflows for exclusion prevention: PEAP, suspension
 * duties, EBSNA and reintegration cases as xstate machines, kept in SQLite or PostgreSQL with a
 * tamper-evident audit trail, deadlines that survive restarts, and the inclusion officer's figures.
 */
export { CaseStore, SYSTEM, defaultAnchorPath } from './store/caseStore.js';
export type { AuditTrail, CaseStoreOptions } from './store/caseStore.js';
export { copyStore } from './store/copyStore.js';
export type { CopyResult } from './store/copyStore.js';
export { createPostgresDatabase, isPostgresUrl } from './store/database.js';
export { CASE_LIST_READ, CaseService, caseSummary, describeState, overdueDeadlines } from './caseService.js';
export type { CaseDeadline, CaseEvent, CaseListFilter, CaseSummary, CaseView, OpenCase, SendOptions } from './caseService.js';
export { AccessDenied, STAFF_ROLES, assertCanRead, can } from './access.js';
export type { Actor, Permission, StaffRole } from './access.js';
export { CaseNotFound, EventRefused, RevisionConflict, StoreRefused } from './errors.js';
export { StaffDirectory, staffMemberSchema } from './store/staff.js';
export type { StaffMember } from './store/staff.js';
export { Pupils } from './store/pupils.js';
export type { ImportResult } from './store/pupils.js';
export { englishDate, systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { openByHand } from './openByHand.js';
export { evaluateStoredPupils, openCasesFor } from './openCases.js';
export type { EvaluationResult } from './openCases.js';
export { buildReport, reportPeriod, reportToCsv, keyStage, BREAKDOWNS } from './reports.js';
export type { Breakdown, Disproportionality, Report, ReportOptions, ReportRow, SchoolPeriod } from './reports.js';
export { REPORT_READ, REPORT_READ_FORMS } from './store/reportReads.js';
export type { ReportRead, ReportReadForm } from './store/reportReads.js';
export { EXCLUSION_MEASURES, PUPIL_GROUPS, PUPILS_ON_ROLL, categoryLabel } from './exclusionFigures.js';
export type { ExclusionMeasure, PupilGroup } from './exclusionFigures.js';
export { choosePeriod, termPeriod } from './reportPeriod.js';
export type { Period, PeriodChoice } from './reportPeriod.js';
export { reportToXlsx, MEASURE_DESCRIPTIONS } from './reportWorkbook.js';
export { SMALLEST_SHOWN, recoverableFigures, suppressFigures } from './suppression.js';
export type { Figure, Sum } from './suppression.js';
export { NobodyToReach, Outbox } from './store/outbox.js';
export type { OutboxEntry, OutboxMessage, OutboxSender, DeliveryResult } from './store/outbox.js';
export { Leases } from './store/leases.js';
export type { TickResult } from './scheduler.js';
export type { AuditEntry, AuditRow, VerifyResult } from './store/auditLog.js';
export { ACTING, CASE_KINDS, DECIDING } from './machines/caseDefinition.js';
export type { CaseDefinition, CaseKind, Effect, EventSpec } from './machines/caseDefinition.js';
export { CASE_DEFINITIONS, PEAP_DECISIONS, PEAP_DECISION_TITLES, PEAP_QUESTIONS, RECIPIENTS, peapEvents, peapGateItems, peapGateMissing, peapGateRefusal, peapCase, suspensionCase, ebsnaCase, reintegrationCase } from './machines/index.js';
export type { ContextOf, EventOf, PeapContext, PeapDecision, SuspensionContext, EbsnaContext, ReintegrationContext, Recipient } from './machines/index.js';
export { DEFAULT_QUESTIONS, MEETING_DATE, QuestionSetError, displayAnswer, loadQuestionSet, questionSet, questionSetFileSchema } from './peapQuestions.js';
export type { Prefill, Question, QuestionKind, QuestionSetFile } from './peapQuestions.js';
export { caseRecord } from './caseRecord.js';
export type { AnswerLine, CaseRecord, CaseRecordOptions, Duty, ExclusionLine, PupilContext } from './caseRecord.js';
export { caseRecordLines } from './caseRecordText.js';
