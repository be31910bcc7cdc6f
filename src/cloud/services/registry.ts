/**
 * Every service the local cloud serves, in start-up order. Adding a service
 * is one folder under services/ with an index.ts default-exporting a
 * ServiceFactory, plus one line here (docs/adding-a-service.md). Factories are
 * imported lazily so a heavy service costs nothing until the cloud starts.
 */
import type { ServiceFactory } from "../core/service.js";

type Loader = () => Promise<{ default: ServiceFactory }>;

export const serviceLoaders: Loader[] = [
  () => import("./iam/index.js"),
  () => import("./sts/index.js"),
  () => import("./logs/index.js"),
  () => import("./sqs/index.js"),
  () => import("./sns/index.js"),
  () => import("./events/index.js"),
  () => import("./lambda/index.js"),
  () => import("./dynamodb/index.js"),
  () => import("./s3/index.js"),
  () => import("./stepfunctions/index.js"),
  () => import("./secretsmanager/index.js"),
  () => import("./rds/index.js"),
  () => import("./rds-data/index.js"),
  () => import("./cloudwatch/index.js"),
  () => import("./tagging/index.js"),
];
