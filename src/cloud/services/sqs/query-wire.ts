/**
 * The awsQuery face of SQS (API version 2012-11-05, what SDKs before the JSON
 * switch and other older clients send): turns the unflattened form
 * (`Attribute.1.Name`, `MessageAttribute.1.Value.StringValue`,
 * `SendMessageBatchRequestEntry.1.Id`…) into the JSON protocol's input shape,
 * and the JSON-shaped output back into the query XML shape (flattened
 * `<Attribute><Name/><Value/></Attribute>`, `<QueueUrl>`, `<Message>`,
 * `<SendMessageBatchResultEntry>`…), so the handlers exist once.
 */
type Obj = Record<string, unknown>;

function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function nameValueMap(value: unknown, keyField = "Name", valueField = "Value"): Obj | undefined {
  if (value === undefined) return undefined;
  const out: Obj = {};
  for (const item of list(value)) {
    const rec = (item ?? {}) as Obj;
    if (typeof rec[keyField] === "string") out[rec[keyField] as string] = rec[valueField];
  }
  return out;
}

function messageAttributesIn(value: unknown): Obj | undefined {
  return nameValueMap(value);
}

function renameLists(input: Obj): Obj {
  const out: Obj = { ...input };
  const move = (from: string, to: string, convert: (v: unknown) => unknown = (v) => v) => {
    if (from in out) {
      out[to] = convert(out[from]);
      delete out[from];
    }
  };
  move("Attribute", "Attributes", (v) => nameValueMap(v));
  move("AttributeName", "AttributeNames", list);
  move("MessageSystemAttributeName", "MessageSystemAttributeNames", list);
  move("MessageAttributeName", "MessageAttributeNames", list);
  move("MessageAttribute", "MessageAttributes", messageAttributesIn);
  move("MessageSystemAttribute", "MessageSystemAttributes", messageAttributesIn);
  move("TagKey", "TagKeys", list);
  move("AWSAccountId", "AWSAccountIds", list);
  move("ActionName", "Actions", list);
  return out;
}

/** Query form (unflattened) → JSON input shape. */
export function queryInputToJson(action: string, input: Obj): Obj {
  const out = renameLists(input);
  if ("Tag" in out) {
    out[action === "CreateQueue" ? "tags" : "Tags"] = nameValueMap(out.Tag, "Key", "Value");
    delete out.Tag;
  }
  for (const entryName of ["SendMessageBatchRequestEntry", "DeleteMessageBatchRequestEntry", "ChangeMessageVisibilityBatchRequestEntry"]) {
    if (entryName in out) {
      out.Entries = list(out[entryName]).map((e) => renameLists((e ?? {}) as Obj));
      delete out[entryName];
    }
  }
  return out;
}

function attributeList(map: unknown): Obj[] | undefined {
  if (!map || typeof map !== "object") return undefined;
  return Object.entries(map as Obj).map(([Name, Value]) => ({ Name, Value }));
}

function messageOut(message: Obj): Obj {
  const out: Obj = { ...message };
  if (message.Attributes) out.Attribute = attributeList(message.Attributes);
  delete out.Attributes;
  if (message.MessageAttributes) {
    out.MessageAttribute = Object.entries(message.MessageAttributes as Obj).map(([Name, v]) => {
      const value = v as Obj;
      // Element order as AWS writes it: the value, then its DataType.
      return { Name, Value: { StringValue: value.StringValue, BinaryValue: value.BinaryValue, DataType: value.DataType } };
    });
  }
  delete out.MessageAttributes;
  return out;
}

const BATCH_RESULT_ENTRY: Record<string, string> = {
  SendMessageBatch: "SendMessageBatchResultEntry",
  DeleteMessageBatch: "DeleteMessageBatchResultEntry",
  ChangeMessageVisibilityBatch: "ChangeMessageVisibilityBatchResultEntry",
};

/** JSON output shape → the query Result element's children. */
export function jsonOutputToQuery(action: string, output: Obj): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(output ?? {})) {
    switch (key) {
      case "Attributes":
        out.Attribute = attributeList(value);
        break;
      case "Tags":
        out.Tag = Object.entries(value as Obj).map(([Key, Value]) => ({ Key, Value }));
        break;
      case "QueueUrls":
      case "queueUrls":
        out.QueueUrl = value;
        break;
      case "Messages":
        out.Message = (value as Obj[]).map(messageOut);
        break;
      case "Successful":
        out[BATCH_RESULT_ENTRY[action] ?? "ResultEntry"] = value;
        break;
      case "Failed":
        out.BatchResultErrorEntry = value;
        break;
      default:
        out[key] = value;
    }
  }
  return out;
}

/** Operations whose query response has no Result element. */
export const NO_RESULT = new Set(["DeleteQueue", "SetQueueAttributes", "DeleteMessage", "ChangeMessageVisibility", "PurgeQueue", "TagQueue", "UntagQueue", "AddPermission", "RemovePermission"]);
