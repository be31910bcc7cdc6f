/**
 * What a resource kind answers (registry.ts): a list of rows, and for one
 * row a detail made of generic sections the page renders without knowing the
 * kind (web/resources-view.js). A new kind is one ResourceKind (the email
 * outbox, state machines, alarms were); the page needs no change unless it
 * needs a new section type (as "graph" did, for ASL definitions).
 */
import type { ConsoleClients } from "./clients.js";

export type Cell = string | number | boolean | undefined;

/** A link from a row or a value to the detail of another resource. */
export interface Open {
  kind: string;
  id: string;
}

export type Section =
  | { type: "kv"; title: string; rows: Array<[string, Cell]> }
  | { type: "table"; title: string; columns: string[]; rows: Array<{ cells: Cell[]; open?: Open }>; note?: string }
  | { type: "json"; title: string; value: unknown }
  /** `pre`: keep the text's lines (a mail's body). */
  | { type: "text"; title: string; text: string; pre?: boolean }
  | { type: "logs"; title: string; lines: Array<{ timestamp: number; message: string }> }
  /** Bytes fetched from api/resources/<kind>/body?id=…, previewed as an image or as text. */
  | { type: "preview"; title: string; kind: string; id: string; contentType: string; size: number }
  /**
   * An Amazon States Language definition drawn as a graph in the browser
   * (web/asl-graph.js): `definition` is the parsed ASL JSON; `visited` the
   * states an execution entered, `failed` the one it failed in.
   */
  | { type: "graph"; title: string; definition: unknown; visited?: string[]; failed?: string };

export interface ResourceList {
  columns: string[];
  items: Array<{ id: string; name: string; cells: Cell[] }>;
  note?: string;
}

export interface ResourceDetail {
  title: string;
  sections: Section[];
}

export interface ResourceKind {
  kind: string;
  title: string;
  /** Not in the menu (reached through links from another kind, e.g. one object). */
  hidden?: boolean;
  list?(clients: ConsoleClients): Promise<ResourceList>;
  detail(clients: ConsoleClients, id: string): Promise<ResourceDetail>;
  /** Raw bytes (object previews). */
  body?(clients: ConsoleClients, id: string): Promise<{ bytes: Buffer; contentType?: string }>;
}

/** An SDK error as a line in a section, so one failing call does not hide the rest. */
export function failure(title: string, err: unknown): Section {
  const e = err as { name?: string; message?: string };
  return { type: "text", title, text: `${e.name ?? "Error"}: ${e.message ?? String(err)}` };
}

/** Run a call; its failure (e.g. NoSuchBucketPolicy) becomes undefined. */
export async function maybe<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch {
    return undefined;
  }
}
