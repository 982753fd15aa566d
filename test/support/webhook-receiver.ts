/** A webhook receiver on loopback for e2e specs: checks signatures, can fail on purpose. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  deliveryId: string;
  event: string;
  body: any;
  signatureValid: boolean;
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** answers 500 to the first `n` attempts of every delivery */
  failFirst(n: number): void;
  /** successful (2xx) receipts per delivery id */
  succeeded(): Map<string, number>;
  close(): Promise<void>;
}

/** What a receiver does with a delivery, as the README shows it. */
export function validSignature(secret: string, rawBody: string, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startReceiver(secret: string): Promise<Receiver> {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  let failures = 0;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const deliveryId = String(req.headers['x-approvals-delivery'] ?? '');
      const n = (attempts.get(deliveryId) ?? 0) + 1;
      attempts.set(deliveryId, n);
      const status = n <= failures ? 500 : 204;
      received.push({
        deliveryId,
        event: String(req.headers['x-approvals-event'] ?? ''),
        body: JSON.parse(raw),
        signatureValid: validSignature(secret, raw, req.headers['x-approvals-signature'] as string | undefined),
        status,
      });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/approvals`,
    received,
    failFirst(n) {
      failures = n;
    },
    succeeded() {
      const m = new Map<string, number>();
      for (const r of received) if (r.status < 300) m.set(r.deliveryId, (m.get(r.deliveryId) ?? 0) + 1);
      return m;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
