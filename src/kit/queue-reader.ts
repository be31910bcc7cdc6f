/**
 * Reading a queue the kit watches (an observer queue on a topic or a bus, a
 * DLQ, a subscriber's inbox) into a growing list, through SQS itself so the
 * same code reads AWS. Messages are deleted once read; long polls return as
 * soon as something arrives, so waiting costs only as long as delivery takes.
 * Each lab parses bodies its own way (an SNS envelope, an EventBridge event,
 * S3's raw event) and passes the parser.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from "@aws-sdk/client-sqs";
import type { KitContext } from "./context.js";

export class QueueReader<T> {
  readonly seen: T[] = [];
  constructor(
    protected readonly ctx: KitContext,
    readonly url: string,
    private readonly parse: (message: Message) => T,
    /** How status lines name the queue ("reading <label> (n so far)…"). */
    private readonly label = "the queue",
  ) {}

  /** One receive (a long poll of `waitSeconds`); returns how many arrived. */
  async receiveOnce(waitSeconds = 0): Promise<number> {
    const out = await this.ctx.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: this.url, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, VisibilityTimeout: 30, MessageAttributeNames: ["All"] }));
    const messages = out.Messages ?? [];
    if (!messages.length) return 0;
    this.seen.push(...messages.map(this.parse));
    await this.ctx.clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: this.url, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    return messages.length;
  }

  /** Read everything that is there now (until a receive comes back empty). */
  async drain(): Promise<void> {
    while ((await this.receiveOnce(0)) > 0) {
      /* keep reading */
    }
  }

  /** Receive until `enough(seen)` holds or `timeoutMs` is up; returns whether it held. */
  async until(enough: (seen: T[]) => boolean, timeoutMs: number): Promise<boolean> {
    const started = Date.now();
    while (!enough(this.seen)) {
      const left = timeoutMs - (Date.now() - started);
      if (left <= 0) return false;
      this.ctx.status(`reading ${this.label} (${this.seen.length} so far)…`);
      // Short polls locally so a check ends within about a second of its evidence; AWS delivers slower, so longer polls there.
      await this.receiveOnce(Math.max(1, Math.min(this.ctx.target.kind === "aws" ? 10 : 1, Math.floor(left / 1000))));
    }
    return true;
  }
}
