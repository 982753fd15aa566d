import { createHmac } from 'node:crypto';
import { signBody } from './webhook-dispatcher.service';

describe('webhook signature', () => {
  it('is sha256=<hex HMAC-SHA256 of the exact body bytes>, so a receiver can recompute it', () => {
    const body = JSON.stringify({ deliveryId: 'd', event: 'task', title: '待办：监测对象识别纳入' });
    const expected = createHmac('sha256', 'secret-0123456789').update(Buffer.from(body, 'utf8')).digest('hex');
    expect(signBody('secret-0123456789', body)).toBe(`sha256=${expected}`);
  });

  it('changes with the body and with the secret', () => {
    const a = signBody('secret-0123456789', '{"a":1}');
    expect(signBody('secret-0123456789', '{"a":2}')).not.toBe(a);
    expect(signBody('secret-9876543210', '{"a":1}')).not.toBe(a);
  });
});
