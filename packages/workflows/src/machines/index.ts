/** The case machines, by kind, and the types a case of each kind carries. */
import type { CaseDefinition, CaseKind, EventInputsOf } from './caseDefinition.js';
import { offSiteDirectionCase, offSiteDirectionEvents, type OffSiteDirectionContext } from './offSiteDirectionCase.js';
import { partTimeTimetableCase, partTimeTimetableEvents, type PartTimeTimetableContext } from './partTimeTimetableCase.js';
import { safeguardingSeparationCase, safeguardingSeparationEvents, type SafeguardingSeparationContext } from './safeguardingSeparationCase.js';
import { ebsnaCase, ebsnaEvents, type EbsnaContext } from './ebsnaCase.js';
import { peapCase, peapEvents, type PeapContext } from './peapCase.js';
import { reintegrationCase, reintegrationEvents, type ReintegrationContext } from './reintegrationCase.js';
import { suspensionCase, suspensionEvents, type SuspensionContext } from './suspensionCase.js';
import { supportPlanCase, supportPlanEvents, type SupportPlanContext } from './supportPlanCase.js';
import { nurtureOutreachCase, nurtureOutreachEvents, type NurtureOutreachContext } from './nurtureOutreachCase.js';
import { tatsActionCase, tatsActionEvents, type TatsActionContext } from './tatsActionCase.js';
import { ehcNeedsAssessmentCase, ehcNeedsAssessmentEvents, type EhcNeedsAssessmentContext } from './ehcNeedsAssessmentCase.js';

export const CASE_DEFINITIONS: Readonly<Record<CaseKind, CaseDefinition>> = {
  peap: peapCase as unknown as CaseDefinition,
  suspension: suspensionCase as unknown as CaseDefinition,
  ebsna: ebsnaCase as unknown as CaseDefinition,
  reintegration: reintegrationCase as unknown as CaseDefinition,
  'off-site-direction': offSiteDirectionCase as unknown as CaseDefinition,
  'part-time-timetable': partTimeTimetableCase as unknown as CaseDefinition,
  'safeguarding-separation': safeguardingSeparationCase as unknown as CaseDefinition,
  'support-plan': supportPlanCase as unknown as CaseDefinition,
  'nurture-outreach': nurtureOutreachCase as unknown as CaseDefinition,
  'tats-action': tatsActionCase as unknown as CaseDefinition,
  'ehc-needs-assessment': ehcNeedsAssessmentCase as unknown as CaseDefinition,
};

/** What a case of each kind holds and accepts. */
interface CaseTypes {
  peap: { context: PeapContext; events: typeof peapEvents };
  suspension: { context: SuspensionContext; events: typeof suspensionEvents };
  ebsna: { context: EbsnaContext; events: typeof ebsnaEvents };
  reintegration: { context: ReintegrationContext; events: typeof reintegrationEvents };
  'off-site-direction': { context: OffSiteDirectionContext; events: typeof offSiteDirectionEvents };
  'part-time-timetable': { context: PartTimeTimetableContext; events: typeof partTimeTimetableEvents };
  'safeguarding-separation': { context: SafeguardingSeparationContext; events: typeof safeguardingSeparationEvents };
  'support-plan': { context: SupportPlanContext; events: typeof supportPlanEvents };
  'nurture-outreach': { context: NurtureOutreachContext; events: typeof nurtureOutreachEvents };
  'tats-action': { context: TatsActionContext; events: typeof tatsActionEvents };
  'ehc-needs-assessment': { context: EhcNeedsAssessmentContext; events: typeof ehcNeedsAssessmentEvents };
}

/** The context of a case of kind `K`: `ContextOf<'peap'>` is `PeapContext`. */
export type ContextOf<K extends CaseKind> = CaseTypes[K]['context'];
/** The events a person may send to a case of kind `K`, as `send` accepts them. */
export type EventOf<K extends CaseKind> = EventInputsOf<CaseTypes[K]['events']>;

export { ebsnaCase, offSiteDirectionCase, partTimeTimetableCase, peapCase, reintegrationCase, safeguardingSeparationCase, suspensionCase };
export { DIRECTION_OUTCOMES, REVIEW_REQUESTERS, reviewRequestBinds } from './offSiteDirectionCase.js';
export type { DirectionOutcome, OffSiteDirectionContext } from './offSiteDirectionCase.js';
export { TIMETABLE_REVIEW_OUTCOMES } from './partTimeTimetableCase.js';
export type { PartTimeTimetableContext } from './partTimeTimetableCase.js';
export { LA_NOTICE_METHODS } from './safeguardingSeparationCase.js';
export type { SafeguardingSeparationContext } from './safeguardingSeparationCase.js';
export { PEAP_DECISIONS, PEAP_DECISION_TITLES, PEAP_QUESTIONS, peapEvents, peapGateItems, peapGateMissing, peapGateRefusal } from './peapCase.js';
export type { PeapContext, PeapDecision } from './peapCase.js';
export { MEETING_FORMATS, NOTICE_METHODS, RECIPIENTS } from './suspensionCase.js';
export type { Recipient, SuspensionContext } from './suspensionCase.js';
export type { EbsnaContext } from './ebsnaCase.js';
export type { ReintegrationContext } from './reintegrationCase.js';
export { ESCALATION_WORDS, ESCALATIONS, INTERVENTIONS, REVIEW_OUTCOMES as SUPPORT_REVIEW_OUTCOMES, STOP_REASONS, supportPlanCase } from './supportPlanCase.js';
export type { Intervention, SupportPlanContext, SupportPlanStep, SupportReview } from './supportPlanCase.js';
export { CASELOAD_STATUS_WORDS, CASELOAD_STATUSES, CLOSURE_REASON_WORDS, CLOSURE_REASONS, nurtureOutreachCase, REFERRAL_ROUTE_WORDS, REFERRAL_ROUTES } from './nurtureOutreachCase.js';
export type { CaseloadStatus, ClosureReason, NurtureOutreachContext, ReferralRoute } from './nurtureOutreachCase.js';
export { DROP_REASONS, TATS_ACTION_WORDS, TATS_ACTIONS, tatsActionCase } from './tatsActionCase.js';
export type { TatsAction, TatsActionContext } from './tatsActionCase.js';
export { EHC_REQUESTER_WORDS, EHC_REQUESTERS, EHC_WITHDRAWAL_REASONS, ehcNeedsAssessmentCase } from './ehcNeedsAssessmentCase.js';
export type { EhcNeedsAssessmentContext, EhcRequester } from './ehcNeedsAssessmentCase.js';
