/**
 * PUT ?notification body → a raw configuration, still unvalidated. This file
 * only enforces the XML schema (S3 answers MalformedXML for a document that is
 * not well formed, has the wrong root, unknown elements, or a configuration /
 * filter rule missing a required child); the semantic checks — ARNs, rule
 * names, event names, ids, overlap, destinations — run afterwards, in AWS's
 * order, in validate.ts.
 *
 * Accepted element names: QueueConfiguration/Queue, TopicConfiguration/Topic,
 * CloudFunctionConfiguration/CloudFunction (what the SDK and CLI send for
 * LambdaFunctionConfigurations) and, leniently, LambdaFunctionConfiguration/
 * LambdaFunctionArn, QueueArn and TopicArn (the JSON member names some
 * hand-written clients put in XML).
 */
import { AwsError } from "../../../core/aws-error.js";
import { parseXml, XmlParseError } from "../../../protocols/xml.js";
import type { DestinationType } from "./config-types.js";

export interface RawFilterRule {
  name: string;
  value: string;
}

export interface RawDestination {
  type: DestinationType;
  id?: string;
  arn: string;
  events: string[];
  filterRules: RawFilterRule[];
  hasFilter: boolean;
}

export interface RawConfig {
  destinations: RawDestination[];
  eventBridge: boolean;
}

export const malformedXml = () =>
  new AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");

/** Element name → destination type and the element names its ARN may use, in the API model's order (topics, queues, functions). */
const CONFIG_ELEMENTS: Record<string, { type: DestinationType; arnElements: string[] }> = {
  TopicConfiguration: { type: "Topic", arnElements: ["Topic", "TopicArn"] },
  QueueConfiguration: { type: "Queue", arnElements: ["Queue", "QueueArn"] },
  CloudFunctionConfiguration: { type: "CloudFunction", arnElements: ["CloudFunction", "LambdaFunctionArn"] },
  LambdaFunctionConfiguration: { type: "CloudFunction", arnElements: ["CloudFunction", "LambdaFunctionArn"] },
};

const LIST_ELEMENTS = [...Object.keys(CONFIG_ELEMENTS), "Event", "FilterRule"];

type Node = Record<string, unknown>;

/** Child elements of a node, without whitespace text between them. */
function children(node: unknown): Node {
  if (node === "" || node === undefined) return {};
  if (typeof node !== "object" || node === null || Array.isArray(node)) throw malformedXml();
  const out: Node = {};
  for (const [k, v] of Object.entries(node as Node)) {
    if (k === "#text") {
      if (String(v).trim()) throw malformedXml(); // text where only elements belong
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** A leaf element's text. */
function text(node: unknown): string {
  if (typeof node === "string") return node;
  if (typeof node === "number" || typeof node === "boolean") return String(node);
  throw malformedXml();
}

function onlyKnown(node: Node, allowed: string[]): void {
  for (const k of Object.keys(node)) if (!allowed.includes(k)) throw malformedXml();
}

function parseFilter(node: unknown): RawFilterRule[] {
  const filter = children(node);
  onlyKnown(filter, ["S3Key"]);
  const s3Key = children(filter.S3Key);
  onlyKnown(s3Key, ["FilterRule"]);
  const rules = (s3Key.FilterRule as unknown[] | undefined) ?? [];
  return rules.map((r) => {
    const rule = children(r);
    onlyKnown(rule, ["Name", "Value"]);
    // A rule without Name or Value does not match the schema (aws-behavior.md §3, item 2).
    if (rule.Name === undefined || rule.Value === undefined) throw malformedXml();
    return { name: text(rule.Name), value: text(rule.Value) };
  });
}

function parseDestination(elementName: string, node: unknown): RawDestination {
  const spec = CONFIG_ELEMENTS[elementName]!;
  const config = children(node);
  onlyKnown(config, ["Id", "Event", "Filter", ...spec.arnElements]);
  const arnElement = spec.arnElements.find((e) => config[e] !== undefined);
  // The ARN and at least one event are required members of every configuration.
  if (!arnElement) throw malformedXml();
  const events = ((config.Event as unknown[] | undefined) ?? []).map(text);
  if (events.length === 0) throw malformedXml();
  const id = config.Id === undefined ? undefined : text(config.Id);
  return {
    type: spec.type,
    id: id === "" ? undefined : id,
    arn: text(config[arnElement]),
    events,
    filterRules: config.Filter === undefined ? [] : parseFilter(config.Filter),
    hasFilter: config.Filter !== undefined,
  };
}

/** Parse the request body; any schema violation is MalformedXML. */
export function parseNotificationXml(body: Buffer | string): RawConfig {
  let doc: Record<string, any>;
  try {
    doc = parseXml(typeof body === "string" ? body : body.toString("utf8"), LIST_ELEMENTS);
  } catch (err) {
    if (err instanceof XmlParseError) throw malformedXml();
    throw err;
  }
  const roots = Object.keys(doc).filter((k) => !k.startsWith("?"));
  if (roots.length !== 1 || roots[0] !== "NotificationConfiguration") throw malformedXml();
  const root = children(doc.NotificationConfiguration);
  onlyKnown(root, [...Object.keys(CONFIG_ELEMENTS), "EventBridgeConfiguration"]);
  const destinations: RawDestination[] = [];
  // Keep AWS's document order within each type; types in the model's order.
  for (const elementName of Object.keys(CONFIG_ELEMENTS)) {
    for (const node of (root[elementName] as unknown[] | undefined) ?? []) destinations.push(parseDestination(elementName, node));
  }
  if (root.EventBridgeConfiguration !== undefined) {
    // <EventBridgeConfiguration/> has no members.
    if (Object.keys(children(root.EventBridgeConfiguration)).length) throw malformedXml();
  }
  return { destinations, eventBridge: root.EventBridgeConfiguration !== undefined };
}
