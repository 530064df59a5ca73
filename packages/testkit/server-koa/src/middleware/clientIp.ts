import type { Context } from 'koa';
import { canonicalIp } from '@plaza/core/host';

/**
 * The client's IP address: Koa's `ctx.ip`, which believes `X-Forwarded-For` only as far as
 * `trustProxy` says (the address the last trusted proxy saw), else the socket's address.
 * A trusted entry that is not an address (a misconfigured proxy) falls back to the socket.
 */
export function clientIpOf(ctx: Context): string {
  return canonicalIp(ctx.ip) ?? canonicalIp(ctx.req.socket.remoteAddress ?? '') ?? 'unknown';
}

/** 127.0.0.0/8 or ::1, as `clientIpOf` spells them. */
export const isLoopback = (ip: string): boolean => ip === '::1' || ip.startsWith('127.');

/**
 * How many proxies in front of the server add to `X-Forwarded-For`: `false` (or 0) believes
 * none and uses the socket's address, `true` means one.
 */
export type TrustProxy = boolean | number;

/** The number of trusted hops `trustProxy` stands for; throws when it cannot work. */
export function trustedHops(trustProxy: TrustProxy = false): number {
  const hops = trustProxy === true ? 1 : trustProxy === false ? 0 : trustProxy;
  if (!Number.isSafeInteger(hops) || hops < 0) {
    throw new Error(`trustProxy must be true, false or a number of proxies; it is ${hops}.`);
  }
  return hops;
}
