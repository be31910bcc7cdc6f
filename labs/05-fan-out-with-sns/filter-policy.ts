/**
 * Lab 05 — the operations team's filter policy.
 *
 * The ops team wants an email for large uploads only (at least `minBytes`
 * bytes), not for every file. An SNS subscription's filter policy decides
 * which messages it receives. Decide two things:
 * - the scope: what the policy is matched against — the message's attributes
 *   (`MessageAttributes`, the default) or the message body (`MessageBody`);
 *   look at what S3 actually publishes before you choose;
 * - the policy: which field, and which operator, select "at least minBytes".
 *
 * Return both; the kit subscribes the email address with them as the
 * subscription attributes FilterPolicyScope and FilterPolicy.
 */

export interface FilterInput {
  /** Uploads of at least this many bytes are "large". */
  minBytes: number;
}

export interface FilterSettings {
  FilterPolicyScope: "MessageAttributes" | "MessageBody";
  /** The filter policy as an object (the kit sends it as JSON). */
  FilterPolicy: Record<string, unknown>;
}

export function largeUploadsFilter(input: FilterInput): FilterSettings {
  void input;
  return {
    // TODO: the scope S3's messages can be filtered on, and a policy that
    //   matches only uploads of at least input.minBytes bytes.
    //   Read: README "Steps" (step 5) and the S3 event in lab 01;
    //   AWS: "Amazon SNS message filtering" (payload-based filtering, numeric matching)
    //   https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
    FilterPolicyScope: "MessageAttributes",
    FilterPolicy: {},
  };
}
