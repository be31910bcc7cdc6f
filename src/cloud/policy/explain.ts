/**
 * Wording shared by the evaluator's explanations: how a statement is named
 * (by its Sid when it has one, else by its position), so a learner can find
 * it in their policy.
 */
import type { Statement } from "./document.js";

export function statementLabel(statement: Pick<Statement, "sid" | "index">): string {
  return statement.sid ? `statement "${statement.sid}"` : `statement #${statement.index} (no Sid)`;
}
