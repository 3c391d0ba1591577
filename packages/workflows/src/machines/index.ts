/** The case machines, by kind. */
import type { CaseDefinition, CaseKind } from './caseDefinition.js';
import { ebsnaCase } from './ebsnaCase.js';
import { peapCase } from './peapCase.js';
import { reintegrationCase } from './reintegrationCase.js';
import { suspensionCase } from './suspensionCase.js';

export const CASE_DEFINITIONS: Readonly<Record<CaseKind, CaseDefinition>> = {
  peap: peapCase as CaseDefinition,
  suspension: suspensionCase as CaseDefinition,
  ebsna: ebsnaCase as CaseDefinition,
  reintegration: reintegrationCase as CaseDefinition,
};

export { ebsnaCase, peapCase, reintegrationCase, suspensionCase };
export { PEAP_DECISIONS, PEAP_QUESTIONS, peapGateMissing, peapGateRefusal } from './peapCase.js';
export type { PeapContext, PeapDecision } from './peapCase.js';
export { RECIPIENTS } from './suspensionCase.js';
export type { Recipient, SuspensionContext } from './suspensionCase.js';
export type { EbsnaContext } from './ebsnaCase.js';
export type { ReintegrationContext } from './reintegrationCase.js';
