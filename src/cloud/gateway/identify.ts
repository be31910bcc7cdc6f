/**
 * Which service a request is for, in AWS's order of evidence (§1): the SigV4
 * credential scope (Authorization header, or X-Amz-Credential for presigned
 * URLs), then the X-Amz-Target prefix, then the awsQuery Version, and
 * otherwise S3 (anonymous and browser-style requests). Also extracts the
 * access key and region from the same credential.
 */
import type { GatewayRequest, ServiceModule } from "../core/service.js";
import { DEFAULT_REGION } from "../core/constants.js";

export interface Credential {
  accessKeyId?: string;
  region: string;
  signingName?: string;
}

const SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

export function readCredential(req: Pick<GatewayRequest, "headers" | "query">): Credential {
  const auth = req.headers["authorization"];
  const m = auth ? SCOPE.exec(auth) : null;
  if (m) return { accessKeyId: m[1], region: m[2]!, signingName: m[3] };
  const presigned = req.query.get("X-Amz-Credential");
  if (presigned) {
    const [accessKeyId, , region, signingName] = presigned.split("/");
    return { accessKeyId, region: region ?? DEFAULT_REGION, signingName };
  }
  // SigV2-style presigned URLs and anonymous requests: no scope.
  const v2 = req.query.get("AWSAccessKeyId") ?? undefined;
  return { accessKeyId: v2, region: DEFAULT_REGION };
}

export class ServiceRouter {
  private readonly bySigningName = new Map<string, ServiceModule>();
  private readonly byTarget = new Map<string, ServiceModule>();
  private readonly byVersion = new Map<string, ServiceModule>();
  private s3?: ServiceModule;

  constructor(services: ServiceModule[]) {
    for (const service of services) {
      for (const name of service.signingNames) this.bySigningName.set(name, service);
      for (const prefix of service.targetPrefixes ?? []) this.byTarget.set(prefix, service);
      for (const version of service.queryVersions ?? []) this.byVersion.set(version, service);
      if (service.name === "s3") this.s3 = service;
    }
  }

  identify(req: GatewayRequest, credential: Credential, formVersion?: string): ServiceModule | undefined {
    if (credential.signingName) {
      const bySigning = this.bySigningName.get(credential.signingName);
      if (bySigning) return bySigning;
    }
    const target = req.headers["x-amz-target"];
    if (target) return this.byTarget.get(target.split(".")[0]!);
    if (formVersion) return this.byVersion.get(formVersion);
    // Unsigned awsQuery GETs (`/?Action=ConfirmSubscription&Version=2010-03-31&…`, the SNS
    // SubscribeURL an HTTP endpoint fetches to confirm): the query string names the service.
    const queryVersion = req.query.get("Version");
    if (!credential.signingName && queryVersion && req.query.has("Action") && this.byVersion.has(queryVersion)) {
      return this.byVersion.get(queryVersion);
    }
    if (credential.signingName && credential.signingName !== "s3") return undefined;
    return this.s3;
  }
}
