/**
 * IAM's error codes and messages (awsQuery ErrorResponse), worded as AWS
 * words them: NoSuchEntity (404), EntityAlreadyExists / DeleteConflict /
 * LimitExceeded (409), MalformedPolicyDocument / ValidationError /
 * InvalidInput (400). The SDK v3 maps each code to an exception class of the
 * same name (NoSuchEntityException, …) and keeps the message.
 */
import { AwsError } from "../../core/aws-error.js";

export function noSuchRole(roleName: string): AwsError {
  return new AwsError("NoSuchEntity", `The role with name ${roleName} cannot be found.`, { status: 404 });
}

export function noSuchRolePolicy(policyName: string): AwsError {
  return new AwsError("NoSuchEntity", `The role policy with name ${policyName} cannot be found.`, { status: 404 });
}

export function noSuchPolicy(policyArn: string): AwsError {
  return new AwsError("NoSuchEntity", `Policy ${policyArn} was not found.`, { status: 404 });
}

/** AttachRolePolicy with an ARN that names no policy. */
export function notAttachable(policyArn: string): AwsError {
  return new AwsError("NoSuchEntity", `Policy ${policyArn} does not exist or is not attachable.`, { status: 404 });
}

export function noSuchPolicyVersion(policyArn: string, versionId: string): AwsError {
  return new AwsError("NoSuchEntity", `Policy ${policyArn} version ${versionId} does not exist or is not attachable.`, { status: 404 });
}

export function roleExists(roleName: string): AwsError {
  return new AwsError("EntityAlreadyExists", `Role with name ${roleName} already exists.`, { status: 409 });
}

export function policyExists(policyName: string): AwsError {
  return new AwsError("EntityAlreadyExists", `A policy called ${policyName} already exists. Duplicate names are not allowed.`, { status: 409 });
}

export function deleteConflict(message: string): AwsError {
  return new AwsError("DeleteConflict", message, { status: 409 });
}

export function limitExceeded(message: string): AwsError {
  return new AwsError("LimitExceeded", message, { status: 409 });
}

export function malformedPolicy(message: string): AwsError {
  return new AwsError("MalformedPolicyDocument", message);
}

export function invalidInput(message: string): AwsError {
  return new AwsError("InvalidInput", message);
}

/** AWS managed policies cannot be changed or deleted by an account. */
export function awsManagedReadOnly(action: string, policyArn: string, callerArn: string): AwsError {
  return new AwsError(
    "AccessDenied",
    `User: ${callerArn} is not authorized to perform: iam:${action} on resource: policy ${policyArn}`,
    { status: 403 },
  );
}
