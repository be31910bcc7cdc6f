/**
 * What keeps web pages out (DNS rebinding and cross-site requests):
 *
 * - Host: a request is answered only when its Host names the cloud — 127.0.0.1,
 *   localhost, [::1], the host it was started with, and (bound to 0.0.0.0 or ::)
 *   this machine's own addresses and name — or the virtual-hosted S3 names
 *   under them that s3/addressing.ts reads (`<bucket>.localhost`,
 *   `<bucket>.s3.localhost`, `<bucket>.s3.<region>.localhost`,
 *   `*.localhost.localstack.cloud`, `*.amazonaws.com`). A page on
 *   evil.example rebinding its name to 127.0.0.1 still sends
 *   `Host: evil.example` and is refused. (A page cannot forge Host: browsers
 *   set it. The public names above resolve only to AWS or to 127.0.0.1, and
 *   nobody but their owners can point them elsewhere.)
 * - Origin: browsers add `Origin` to every cross-origin request that is not a
 *   plain navigation. Such a request is answered only by the cloud's own pages
 *   (same origin) and by S3, for a bucket whose CORS rules allow that origin
 *   (s3/index.ts asks cors.ts) — exactly what a browser may do against S3.
 */
import * as os from "node:os";

const LOOPBACK = ["127.0.0.1", "localhost", "::1", "localhost.localstack.cloud"];
/** Names whose subdomains are S3 virtual-hosted buckets (s3/addressing.ts). */
const BUCKET_PARENTS = ["localhost", "localhost.localstack.cloud", "amazonaws.com"];

/** The hostname of a Host header value, lower-cased, without port or IPv6 brackets. */
export function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined);
  return h.replace(/:\d*$/, "").replace(/\.$/, "");
}

export class HostRules {
  private readonly names = new Set<string>(LOOPBACK);

  constructor(configuredHost: string) {
    const configured = hostnameOf(configuredHost.includes(":") && !configuredHost.startsWith("[") ? `[${configuredHost}]` : configuredHost);
    if (configured === "0.0.0.0" || configured === "::") {
      // Shared with a classroom: this machine's addresses and name are its names too.
      for (const list of Object.values(os.networkInterfaces())) for (const i of list ?? []) this.names.add(i.address.toLowerCase());
      const name = os.hostname().toLowerCase();
      this.names.add(name);
      this.names.add(`${name}.local`);
    } else this.names.add(configured);
  }

  /** Is this Host header one of the cloud's names (or a bucket under one)? */
  allows(host: string | undefined): boolean {
    if (!host) return false; // HTTP/1.1 requires Host; a request without one did not come from an AWS client
    const name = hostnameOf(host);
    if (this.names.has(name)) return true;
    for (const parent of BUCKET_PARENTS) if (name.endsWith(`.${parent}`)) return true;
    return false;
  }
}

/** Is `origin` the cloud's own (the page was served by the host the request is addressed to)? */
export function isSameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host.toLowerCase() === host.trim().toLowerCase();
  } catch {
    return false;
  }
}
