/** The case machines, by kind, and the types a case of each kind carries. */
import type { CaseDefinition, CaseKind, EventInputsOf } from './caseDefinition.js';
import { ebsnaCase, ebsnaEvents, type EbsnaContext } from './ebsnaCase.js';
import { peapCase, peapEvents, type PeapContext } from './peapCase.js';
import { reintegrationCase, reintegrationEvents, type ReintegrationContext } from './reintegrationCase.js';
import { suspensionCase, suspensionEvents, type SuspensionContext } from './suspensionCase.js';

export const CASE_DEFINITIONS: Readonly<Record<CaseKind, CaseDefinition>> = {
  peap: peapCase as unknown as CaseDefinition,
  suspension: suspensionCase as unknown as CaseDefinition,
  ebsna: ebsnaCase as unknown as CaseDefinition,
  reintegration: reintegrationCase as unknown as CaseDefinition,
};

/** What a case of each kind holds and accepts. */
interface CaseTypes {
  peap: { context: PeapContext; events: typeof peapEvents };
  suspension: { context: SuspensionContext; events: typeof suspensionEvents };
  ebsna: { context: EbsnaContext; events: typeof ebsnaEvents };
  reintegration: { context: ReintegrationContext; events: typeof reintegrationEvents };
}

/** The context of a case of kind `K`: `ContextOf<'peap'>` is `PeapContext`. */
export type ContextOf<K extends CaseKind> = CaseTypes[K]['context'];
/** The events a person may send to a case of kind `K`, as `send` accepts them. */
export type EventOf<K extends CaseKind> = EventInputsOf<CaseTypes[K]['events']>;

export { ebsnaCase, peapCase, reintegrationCase, suspensionCase };
export { PEAP_DECISIONS, PEAP_DECISION_TITLES, PEAP_QUESTIONS, peapEvents, peapGateItems, peapGateMissing, peapGateRefusal } from './peapCase.js';
export type { PeapContext, PeapDecision } from './peapCase.js';
export { MEETING_FORMATS, NOTICE_METHODS, RECIPIENTS } from './suspensionCase.js';
export type { Recipient, SuspensionContext } from './suspensionCase.js';
export type { EbsnaContext } from './ebsnaCase.js';
export type { ReintegrationContext } from './reintegrationCase.js';
