/**
 * The parts of the Lambda service every handler file needs, built once in
 * index.ts and passed to each handler group.
 */
import type { Cloud } from "../../core/cloud.js";
import type { Table } from "../../core/store.js";
import type { AsyncInvoker } from "./async-invoke.js";
import type { CodeStore } from "./code-package.js";
import type { ExecutionRoles } from "./execution-role.js";
import type { Invoker } from "./invoker.js";
import type { Lifecycle } from "./lifecycle.js";
import type { FunctionRecord } from "./state.js";

export interface LambdaService {
  cloud: Cloud;
  functions: Table<FunctionRecord>;
  code: CodeStore;
  roles: ExecutionRoles;
  lifecycle: Lifecycle;
  invoker: Invoker;
  async: AsyncInvoker;
  /** Called after DeleteFunction (event source mappings drop theirs). */
  onFunctionDeleted: Array<(arn: string) => void>;
}
