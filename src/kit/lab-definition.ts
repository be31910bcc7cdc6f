/**
 * What a lab is, for the kit: its id and title, the files the learner
 * completes (solutions/NN-… mirrors them path for path), what it creates (shown
 * before anything is created on AWS), its guided steps and its grader. Each
 * labs/NN-slug/lab.ts default-exports one LabDefinition; labs.ts finds them.
 */
import type { KitContext } from "./context.js";
import type { LabGrader } from "./grader/types.js";

export interface StepOutcome {
  /** Lines such as ["bucket   sel-ana-01-3fa9c2-events", "queue ARN  arn:aws:sqs:…"]. */
  created?: Array<[label: string, value: string]>;
  /** Free text printed under the step (explanations of what came back). */
  notes?: string[];
}

export interface GuidedStep {
  title: string;
  /** What AWS concept the step shows, in a few sentences. */
  explain: string;
  /** The equivalent AWS CLI command(s), as a learner would type them. */
  cli?: string[];
  run(ctx: GuidedContext): Promise<StepOutcome | void>;
}

export interface GuidedContext extends KitContext {
  /** Folder whose code each piece comes from (the learner's where written, else the reference). */
  pieceSource(file: string): string;
  importPiece<T = Record<string, unknown>>(file: string): Promise<T>;
  /** Shared between steps of one run. */
  state: Record<string, unknown>;
}

export interface LabDefinition {
  id: string;
  slug: string;
  title: string;
  summary: string;
  /** Paths relative to the lab folder, mirrored under solutions/NN-slug/. */
  learnerFiles: string[];
  /** Human list of what a run creates (the confirmation before touching AWS). */
  creates: string[];
  steps: GuidedStep[];
  grader: LabGrader<any>;
}

export function defineLab(lab: LabDefinition): LabDefinition {
  return lab;
}
