/**
 * Lab 05 — your topic policy.
 *
 * S3 publishes a bucket's event notifications to an SNS topic as the service
 * principal `s3.amazonaws.com`, and only if the topic's access policy allows
 * it — S3 checks when you save the bucket's notification configuration
 * ("Unable to validate the following destination configurations" otherwise).
 * Allow exactly that: S3, publishing, for YOUR bucket in YOUR account. A topic
 * anyone's bucket can publish to is a topic anyone can fill with fake uploads.
 *
 * Return the policy document the kit sets as the topic's `Policy` attribute.
 */

export interface TopicPolicyInput {
  /** e.g. arn:aws:sns:us-east-1:000000000000:sel-ana-05-3fa9c2-uploads */
  topicArn: string;
  /** e.g. sel-ana-05-3fa9c2-files */
  bucketName: string;
  /** The 12-digit account that owns the bucket. */
  accountId: string;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<Record<string, unknown>>;
}

export function topicPolicy(input: TopicPolicyInput): PolicyDocument {
  void input;
  return {
    Version: "2012-10-17",
    Statement: [
      // TODO: one statement that lets the S3 service publish to this topic,
      //   but only for events of YOUR bucket in YOUR account.
      //   Read: README "Steps" (step 2); AWS: "Granting permissions to publish
      //   event notification messages to a destination"
      //   https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html
      //   Stuck? `npm run hint -- 05` (again for more).
    ],
  };
}
