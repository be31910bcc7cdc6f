/**
 * Which addresses count as the classroom's LAN. The class server listens
 * only on such an address and answers only peers from one: loopback
 * (127/8, ::1), private IPv4 (10/8, 172.16/12, 192.168/16), link-local
 * (169.254/16, fe80::/10) and IPv6 unique-local (fc00::/7), including
 * IPv4-mapped IPv6 forms (::ffff:192.168.1.20).
 */
import * as os from "node:os";
import { isIP } from "node:net";

export function isPrivateAddress(address: string): boolean {
  let a = address.toLowerCase().replace(/^\[|\]$/g, "");
  if (a.startsWith("::ffff:") && isIP(a.slice(7)) === 4) a = a.slice(7);
  if (isIP(a) === 4) {
    const [x, y] = a.split(".").map(Number) as [number, number];
    return x === 127 || x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 169 && y === 254);
  }
  if (isIP(a) === 6) return a === "::1" || /^f[cd][0-9a-f]{2}:/.test(a) || /^fe[89ab][0-9a-f]:/.test(a);
  return false;
}

/** This machine's private IPv4 addresses (not loopback): what participants' laptops can reach. */
export function lanAddresses(): string[] {
  const found: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) if (i.family === "IPv4" && !i.internal && isPrivateAddress(i.address)) found.push(i.address);
  }
  return found;
}
