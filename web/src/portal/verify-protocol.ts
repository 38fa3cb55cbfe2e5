/** Messages between the portal and its verification worker. */

/** Page → worker: the record as text, as uploaded, pasted or fetched. */
export interface VerifyRequest {
  text: string;
}

/** Worker → page: a stage reached (progress) or the final verdict. */
export type VerifyMessage =
  | { kind: 'stage'; stage: 'parse' | 'recompute'; done: number; of: number }
  | { kind: 'badJson'; detail: string }
  | { kind: 'badRecord'; detail: string }
  | { kind: 'verdict'; match: boolean; firstDifference?: string; summary: VerifySummary; ms: number };

/** What the visitor is told about the record that was checked. */
export interface VerifySummary {
  planId: string;
  plannedDate: string;
  targets: number;
  inspectors: number;
  selected: number;
}
