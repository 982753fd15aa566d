import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { promises as dns } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from '../../common/errors/app-error';

/**
 * Webhook targets must be public (SSRF): no loopback, private, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, unique-local, multicast, unspecified or reserved
 * address, checked when the webhook is registered and again for every delivery on the address
 * the connection actually uses (so a name that resolves to a public address at registration
 * and to 127.0.0.1 later is refused). `WEBHOOK_ALLOW_PRIVATE=true` lifts it (tests, an intranet
 * receiver on purpose).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.process(address); // IPv4-mapped IPv6 (::ffff:127.0.0.1) judged as IPv4
  return ip.range() === 'unicast';
}

export class WebhookTargetError extends Error {
  constructor(readonly address: string) {
    super(`webhook target ${address} is not a public address (WEBHOOK_ALLOW_PRIVATE is off)`);
    this.name = 'WebhookTargetError';
  }
}

/** The URL's host as an address or a name (IPv6 without its brackets). */
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

const REFUSED = 'url 不能指向本机、内网、链路本地（含云元数据）或保留地址';

/** At registration: an http(s) URL whose host resolves only to public addresses. */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw AppError.validation({ url: 'url 不是有效地址' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw AppError.validation({ url: 'url 应以 http:// 或 https:// 开头' });
  if (url.username || url.password) throw AppError.validation({ url: 'url 不能包含用户名或密码' });
  if (allowPrivate) return;
  const host = hostOf(url);
  let addresses: string[];
  if (ipaddr.isValid(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw AppError.validation({ url: `无法解析域名 ${host}` });
    }
  }
  if (!addresses.length || addresses.some((a) => !isPublicAddress(a))) throw AppError.validation({ url: REFUSED });
}

/**
 * A `lookup` for http(s).request: resolves as usual, then refuses the connection unless every
 * address is public. The socket connects to the address this returns, never to another
 * resolution of the name.
 */
export function publicOnlyLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
      if (err) return (callback as (e: Error) => void)(err);
      const list = addresses as unknown as LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => !isPublicAddress(a.address));
      if (bad) return (callback as (e: Error) => void)(new WebhookTargetError(bad.address));
      if ((options as { all?: boolean }).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
      return (callback as (e: null, a: string, f: number) => void)(null, list[0].address, list[0].family);
    });
  };
}

/**
 * POSTs a delivery: no redirect followed, the whole exchange bounded by `timeoutMs`, the target
 * checked on the address actually connected to. Resolves with the HTTP status.
 */
export function postToWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  opts: { timeoutMs: number; allowPrivate: boolean },
): Promise<number> {
  const url = new URL(target);
  const host = hostOf(url);
  // an address written in the URL is connected to without any lookup: judge it here
  if (!opts.allowPrivate && ipaddr.isValid(host) && !isPublicAddress(host)) return Promise.reject(new WebhookTargetError(host));
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        lookup: publicOnlyLookup(opts.allowPrivate),
        signal: AbortSignal.timeout(opts.timeoutMs),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
