/**
 * Lab 05 — reference solution: S3 publishes no message attributes, so the
 * filter must look at the body — S3's event, where the size is
 * Records[].s3.object.size (a nested key inside an array: any record may match).
 */

export interface FilterInput {
  minBytes: number;
}

export interface FilterSettings {
  FilterPolicyScope: "MessageAttributes" | "MessageBody";
  FilterPolicy: Record<string, unknown>;
}

export function largeUploadsFilter(input: FilterInput): FilterSettings {
  return {
    FilterPolicyScope: "MessageBody",
    FilterPolicy: { Records: { s3: { object: { size: [{ numeric: [">=", input.minBytes] }] } } } },
  };
}
