/**
 * Imported first by every script: the AWS SDK prints a 9-line
 * NodeVersionSupportWarning on Node < 22 (emitWarningIfUnsupportedVersion in
 * @aws-sdk/core, checked when a client is constructed). The kit supports
 * Node 20–24 with the locked SDK versions, and `npm run doctor` reports an
 * end-of-life Node with the upgrade, so the SDK's own warning is switched off
 * by the variable it documents — unless the person set it themselves.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
export {};
