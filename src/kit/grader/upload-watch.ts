/**
 * Which object a check uploaded last, so a failing check can link to the
 * trace of that upload in the local cloud's console (src/kit/console-link.ts).
 * A middleware on the session's S3 client notes the Bucket and Key of every
 * PutObject while a grade runs; it is removed when the grade ends. Nothing
 * about the request changes.
 */
import type { S3Client } from "@aws-sdk/client-s3";

const NAME = "s3EventLabsUploadWatch";

export interface UploadWatch {
  /** The newest upload since the last reset(). */
  last(): { bucket: string; key: string } | undefined;
  reset(): void;
  dispose(): void;
}

export function watchUploads(s3: S3Client): UploadWatch {
  let last: { bucket: string; key: string } | undefined;
  s3.middlewareStack.remove(NAME);
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Bucket?: unknown; Key?: unknown };
      if (context.commandName === "PutObjectCommand" && typeof input.Bucket === "string" && typeof input.Key === "string") last = { bucket: input.Bucket, key: input.Key };
      return next(args);
    },
    { step: "initialize", name: NAME },
  );
  return {
    last: () => last,
    reset: () => (last = undefined),
    dispose: () => void s3.middlewareStack.remove(NAME),
  };
}
