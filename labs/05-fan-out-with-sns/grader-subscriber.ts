/**
 * Lab 05 — the grader's own extra subscriber (not a learner file): a
 * function subscribed to the topic beside yours that fails for one key, so
 * the grade can show a failing subscriber retrying (Lambda's asynchronous
 * retries) and ending in its dead-letter queue while the other subscribers
 * get that upload as usual.
 */
export async function handler(event: { Records: Array<{ Sns: { Message: string } }> }): Promise<void> {
  for (const record of event.Records) {
    const s3Event = JSON.parse(record.Sns.Message) as { Records?: Array<{ s3: { object: { key: string } } }> };
    for (const r of s3Event.Records ?? []) {
      const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, " "));
      if (key.includes("/poison/")) throw new Error(`cannot process ${key} (the grader's subscriber fails for this key on purpose)`);
    }
  }
}
