import { isIP } from 'node:net';

/**
 * Why `rpId` cannot be the RP ID of pages on `origin`, or undefined when it can. WebAuthn L3 §5.1.3 step 7
 * and §5.1.4.1 step 7 (via HTML's "is a registrable domain suffix of or is equal to"): the RP ID must be
 * the origin's host or a parent domain of it, and a domain, not an IP address (§4 "RP ID").
 */
export function rpIdProblem(origin: string, rpId: string): string | undefined {
  const host = new URL(origin).hostname.toLowerCase();
  const id = rpId.toLowerCase();
  if (isIP(id) || isIP(host.replace(/^\[|\]$/g, ''))) {
    return `an IP address is not a valid RP ID (origin ${origin}, RP ID ${rpId}): use a domain name such as localhost`;
  }
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(id)) return `RP ID ${JSON.stringify(rpId)} is not a domain name`;
  if (host !== id && !host.endsWith(`.${id}`)) {
    return `RP ID ${rpId} does not match origin ${origin}: it must be ${host} or a parent domain of it (WebAuthn L3 §5.1.3 step 7), so browsers would refuse every ceremony`;
  }
  return undefined;
}

/** the RP ID a page on `origin` gets when none is named: its host */
export function defaultRpId(origin: string): string {
  return new URL(origin).hostname;
}
