// The Code node of hot-lead-to-crm.json, kept here so a test can run it against real StreamLeads
// deliveries (examples.test.ts). n8n runs it with `this.helpers`, `$input` and `$env`; it needs
// NODE_FUNCTION_ALLOW_BUILTIN=crypto and the secret in STREAMLEADS_WEBHOOK_SECRET.
const crypto = require('crypto');

const maxAgeSeconds = 300;
const secret = $env.STREAMLEADS_WEBHOOK_SECRET;
if (!secret) throw new Error('Set STREAMLEADS_WEBHOOK_SECRET to the n8n signing secret');

const results = [];
for (const [index, item] of $input.all().entries()) {
  const headers = item.json.headers ?? {};
  const timestamp = String(headers['x-streamleads-timestamp'] ?? '');
  const received = String(headers['x-streamleads-signature'] ?? '');
  // The signature covers the raw bytes: re-serialising the parsed JSON would not match.
  const rawBody = (await this.helpers.getBinaryDataBuffer(index, 'data')).toString('utf8');
  const expected =
    'sha256=' + crypto.createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  const age = Math.abs(Date.now() / 1000 - Number(timestamp));
  const valid =
    received.length === expected.length &&
    crypto.timingSafeEqual(Buffer.from(received), Buffer.from(expected)) &&
    Number.isFinite(age) &&
    age <= maxAgeSeconds;
  const event = JSON.parse(rawBody);
  results.push({
    json: {
      valid,
      deliveryId: headers['x-streamleads-delivery'] ?? null,
      event: event.event,
      lead: event.lead,
      previousStatus: event.previousStatus,
      status: event.status,
    },
  });
}
return results;
