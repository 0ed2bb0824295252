import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isPublicAddress } from '../verify/smtp/address-policy.js';

/** Response bytes read from a webhook receiver (only the status matters). */
const MAX_RESPONSE_BYTES = 4096;

export interface WebhookDelivery {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Tests only: allow private and loopback receivers. */
  allowPrivate: boolean;
}

export type DeliveryOutcome = { ok: true; status: number } | { ok: false; error: string };

/**
 * POST one webhook. The address is checked where the connection is made (a
 * `lookup` hook), so a receiver whose DNS changed to a private address after
 * the job was created is still refused. Any 2xx counts as delivered.
 *
 * `timeoutMs` is a total deadline for the whole delivery (DNS lookup, connect,
 * sending the body and reading the response), not an idle timeout: a receiver
 * that answers one byte at a time still fails when the deadline passes.
 */
export function deliverWebhook(d: WebhookDelivery): Promise<DeliveryOutcome> {
  const url = new URL(d.url);
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: false }, (err, address, family) => {
      if (err) return callback(err, '', 0);
      if (!d.allowPrivate && !isPublicAddress(address as string)) {
        return callback(new Error(`webhook host resolves to a non-public address`), '', 0);
      }
      callback(null, address as string, family);
    });
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: DeliveryOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(outcome);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(d.body)),
          'user-agent': 'mailvet-webhook/1',
          ...d.headers,
        },
      },
      (res) => {
        let seen = 0;
        res.on('data', (c: Buffer) => {
          seen += c.length;
          if (seen > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on('close', () => {
          const status = res.statusCode ?? 0;
          settle(
            status >= 200 && status < 300
              ? { ok: true, status }
              : { ok: false, error: `receiver answered HTTP ${status}` },
          );
        });
      },
    );
    const deadline = setTimeout(() => {
      settle({ ok: false, error: `delivery not complete within ${d.timeoutMs} ms` });
      req.destroy();
    }, d.timeoutMs);
    req.on('error', (err) => settle({ ok: false, error: err.message }));
    req.end(d.body);
  });
}
