/**
 * @before-exclusion/workflows — case workflows for exclusion prevention: PEAP, suspension
 * duties, EBSNA and reintegration cases as xstate machines, persisted in SQLite with a
 * tamper-evident audit trail, deadlines that survive restarts, and the inclusion officer's figures.
 */
export { CaseStore, SYSTEM } from './caseStore.js';
export type { CaseStoreOptions } from './caseStore.js';
export { CaseService, describeState, overdueDeadlines } from './caseService.js';
export type { CaseDeadline, CaseEvent, CaseView, OpenCase } from './caseService.js';
export { AccessDenied, STAFF_ROLES, assertCanAct, assertCanRead } from './access.js';
export type { Actor, StaffRole } from './access.js';
export { CaseNotFound, EventRefused, RevisionConflict } from './errors.js';
export { StaffDirectory, staffMemberSchema } from './staff.js';
export type { StaffMember } from './staff.js';
export { englishDate, systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { importPupils, calendarFor, pupilRecord, storedPupils } from './pupils.js';
export { openByHand } from './openByHand.js';
export type { ImportResult } from './pupils.js';
export { evaluateStoredPupils, openCasesFor } from './openCases.js';
export type { EvaluationResult } from './openCases.js';
export { buildReport, reportPeriod, reportToCsv, keyStage, BREAKDOWNS } from './reports.js';
export type { Report, ReportOptions, ReportRow } from './reports.js';
export { NobodyToReach, delivered, dueForSchool, markDelivered, retryUnsentNow } from './outbox.js';
export type { OutboxMessage, OutboxSender, DeliveryResult } from './outbox.js';
export type { TickResult } from './scheduler.js';
export type { AuditEntry, AuditRow, VerifyResult } from './store/auditLog.js';
export { CASE_KINDS } from './machines/caseDefinition.js';
export type { CaseDefinition, CaseKind, Effect } from './machines/caseDefinition.js';
export { CASE_DEFINITIONS, PEAP_DECISIONS, PEAP_QUESTIONS, RECIPIENTS, peapGateMissing, peapGateRefusal, peapCase, suspensionCase, ebsnaCase, reintegrationCase } from './machines/index.js';
export type { PeapContext, PeapDecision, SuspensionContext, EbsnaContext, ReintegrationContext, Recipient } from './machines/index.js';
