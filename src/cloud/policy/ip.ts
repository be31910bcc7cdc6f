/**
 * IpAddress / NotIpAddress: does an address fall in a CIDR block (IPv4 and
 * IPv6; a block without "/" is a single host)? Node reports IPv4 clients on a
 * dual-stack socket as "::ffff:127.0.0.1"; those are compared as IPv4, as AWS
 * sees them.
 */

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    n = (n << 8n) | BigInt(Number(part));
  }
  return n;
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  let head = groups(halves[0]!);
  let tail = halves.length === 2 ? groups(halves[1]!) : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const fix = (list: string[]) => {
    const lastPart = list[list.length - 1];
    if (lastPart?.includes(".")) {
      const v4 = parseV4(lastPart);
      if (v4 === undefined) return undefined;
      return [...list.slice(0, -1), (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    }
    return list;
  };
  if (halves.length === 2) {
    const t = fix(tail);
    if (!t) return undefined;
    tail = t;
  } else {
    const h = fix(head);
    if (!h) return undefined;
    head = h;
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  let n = 0n;
  for (const g of [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

/** An address as (family, number); IPv4-mapped IPv6 becomes IPv4. */
export function parseIp(text: string): { v6: boolean; n: bigint } | undefined {
  const t = text.trim();
  if (!t.includes(":")) {
    const n = parseV4(t);
    return n === undefined ? undefined : { v6: false, n };
  }
  const n = parseV6(t.replace(/^\[|\]$/g, ""));
  if (n === undefined) return undefined;
  if (n >> 32n === 0xffffn) return { v6: false, n: n & 0xffffffffn };
  return { v6: true, n };
}

/** Is `address` inside `cidr` ("10.0.0.0/8", "2001:db8::/32", "203.0.113.7")? */
export function ipInCidr(address: string, cidr: string): boolean {
  const [base, bitsText] = cidr.trim().split("/");
  const ip = parseIp(address);
  const net = parseIp(base ?? "");
  if (!ip || !net || ip.v6 !== net.v6) return false;
  const width = net.v6 ? 128 : 32;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return false;
  const shift = BigInt(width - bits);
  return ip.n >> shift === net.n >> shift;
}
