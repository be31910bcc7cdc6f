/**
 * Links into the local cloud's console (src/cloud/console/): the page at
 * /_localcloud/console/ with the admin token in the URL's fragment (never
 * sent to a server) and the filter the console should open with — a bucket
 * and key (the trace of one upload), a lab's namespace, a start time.
 * Only for a local cloud whose token the kit knows (the background cloud it
 * started records it in .s3-event-labs/cloud.json); a cloud started with
 * `npm run cloud` prints its own link.
 */
export function consoleBase(endpoint: string, adminToken: string | undefined): string | undefined {
  return adminToken ? `${endpoint.replace(/\/$/, "")}/_localcloud/console/#token=${encodeURIComponent(adminToken)}` : undefined;
}

export interface ConsoleFilter {
  bucket?: string;
  key?: string;
  /** A lab namespace: every resource name of a run contains it. */
  ns?: string;
  /** Only events from … to … (ISO times): e.g. one check's run, not the cleanup's deletes that follow. */
  from?: string;
  to?: string;
}

export function consoleLink(base: string | undefined, filter: ConsoleFilter = {}): string | undefined {
  if (!base) return undefined;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) if (value) params.set(name, value);
  const extra = params.toString();
  return extra ? `${base}&${extra}` : base;
}
