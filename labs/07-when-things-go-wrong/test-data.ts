/**
 * Lab 07 — the grader's orders. What the README says the handler must get
 * right, and the case that proves it:
 *
 * | claim (README)                                         | case                                                         |
 * |--------------------------------------------------------|--------------------------------------------------------------|
 * | every object version is one order, applied once        | 200 uploads, 20 % of their S3 deliveries duplicated          |
 * | order of arrival does not matter                       | deliveries held back at random (reordered)                   |
 * | equal contents are different orders (not the eTag)     | amounts drawn from 5 values: most bodies share an eTag       |
 * | a re-upload of a key is a new order (a new version)    | standing-order keys uploaded 3 times with the same body      |
 * | keys arrive URL-encoded                                | spaces, "+", "%", "%2F" as text and 4-byte UTF-8 in names    |
 * | a bad order fails loudly, is retried, then parked      | a poison object (amountCents "twelve")                       |
 * | transient S3/DynamoDB errors and throttles lose nothing| 30 uploads: 30 % S3 5xx, 60 % DynamoDB errors (1 in 5 calls fails all 3 SDK attempts: a marker-then-balance handler loses orders), 30 % 429s |
 *
 * Everything is generated from a fixed seed, so a grade is reproducible.
 */

export interface Order {
  key: string;
  customer: string;
  amountCents: number;
}

const AMOUNTS = [500, 1250, 999, 2000, 4250];
const AWKWARD = ["order 1.json", "a+b+c.json", "50%off.json", "slash%2Fnot-a-folder.json", "caf\u00e9-\u{1F600}.json", "two  spaces.json"];

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` orders for `customers` customers under orders/<folder>-cNN/…, with awkward names and standing orders re-uploaded. */
export function orderBatch(folder: string, count: number, customers: number, seed: number): Order[] {
  const next = random(seed);
  const orders: Order[] = [];
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!;
  const customerOf = (i: number) => `${folder}-c${String(i % customers).padStart(2, "0")}`;
  for (let i = 0; orders.length < count; i++) {
    const customer = customerOf(i);
    if (i % 20 === 7) {
      // A standing order: the same key and body, uploaded three times — three object versions, three orders.
      const key = `orders/${customer}/standing.json`;
      const amountCents = pick(AMOUNTS);
      for (let r = 0; r < 3 && orders.length < count; r++) orders.push({ key, customer, amountCents });
      continue;
    }
    const name = i % 9 === 4 ? `${i}-${pick(AWKWARD)}` : `order-${String(i).padStart(4, "0")}.json`;
    orders.push({ key: `orders/${customer}/${name}`, customer, amountCents: pick(AMOUNTS) });
  }
  return orders;
}

export const body = (o: Pick<Order, "amountCents">) => JSON.stringify({ amountCents: o.amountCents });

/** Expected balance per customer. */
export function expectedBalances(orders: Order[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of orders) out.set(o.customer, (out.get(o.customer) ?? 0) + o.amountCents);
  return out;
}

/** The poison object: valid JSON, but not an order. */
export const POISON = { key: "orders/poison-c00/order-0001.json", body: JSON.stringify({ amountCents: "twelve" }) };

/** The first round: 200 orders for 10 customers, 20 % of deliveries duplicated. */
export const EXACTLY_ONCE = { count: 200, customers: 10, duplicateProbability: 0.2, reorderWindowMs: 300, seed: 7 };

/** The transient-errors round. */
export const TRANSIENT = { count: 30, customers: 3, s3ErrorProbability: 0.3, dynamodbErrorProbability: 0.6, throttleProbability: 0.3, seed: 11 };
