import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';

let database: TestDatabase;
let app: TestApp;
let bystander: { id: string; updatedAt: Date };

const site = 'http://site.test';
const formPage = `${site}/contato?utm_source=instagram&utm_campaign=verao`;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  const response = await app.yoga.fetch('http://api.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders },
    body: JSON.stringify({
      query: `mutation { updateInboundSettings(input: {
        formAllowedOrigins: ["${site}"], formThankYouUrl: "${site}/obrigado"
      }) { __typename } }`,
    }),
  });
  expect(await response.json()).toEqual({
    data: { updateInboundSettings: { __typename: 'InboundSettings' } },
  });
  bystander = await database.prisma.lead.create({
    data: { name: 'Bystander', email: 'bystander@example.com', origin: 'REFERRAL' },
    select: { id: true, updatedAt: true },
  });
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

function postForm(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.yoga.fetch('http://api.test/forms/lead', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: site,
      referer: formPage,
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

describe('the no-JavaScript form', () => {
  it('redirects back to the form with one message per refused field, recording nothing', async () => {
    const response = await postForm({ name: 'E', email: 'not an email', city: 'Santos' });
    expect(response.status).toBe(303);
    const back = new URL(response.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(`${site}/contato`);
    expect(back.searchParams.get('utm_source')).toBe('instagram');
    expect(back.searchParams.get('form_status')).toBe('invalid');
    expect(back.searchParams.get('error_email')).toBe('Enter a valid email address');
    expect(back.searchParams.get('error_name')).toBe('Name must have at least 2 letters');
    expect(await database.prisma.leadSubmission.count()).toBe(0);
  });

  it('saves the corrected form with its UTM parameters and landing page, then redirects to the thank-you page', async () => {
    const response = await postForm(
      {
        name: 'Elisa Prado',
        email: 'elisa@example.com',
        phone: '(11) 98765-4321',
        interest: 'Casa',
      },
      // The browser comes back from the page the error redirect showed.
      { referer: `${formPage}&form_status=invalid&error_email=x` },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${site}/obrigado`);
    const lead = await database.prisma.lead.findUniqueOrThrow({
      where: { email: 'elisa@example.com' },
      include: { submissions: true },
    });
    expect(lead).toMatchObject({ name: 'Elisa Prado', origin: 'SITE', phone: '+5511987654321' });
    expect(lead.submissions[0]).toMatchObject({
      channel: 'WEB_FORM',
      utmSource: 'instagram',
      utmCampaign: 'verao',
      utmMedium: null,
      landingPage: formPage,
    });
  });

  it('refuses posts from pages of origins that are not allowed', async () => {
    const response = await postForm(
      { name: 'Fábio Reis', email: 'fabio@example.com' },
      { origin: 'http://evil.test', referer: 'http://evil.test/form' },
    );
    expect(response.status).toBe(403);
    expect(await database.prisma.lead.count({ where: { email: 'fabio@example.com' } })).toBe(0);
    const untouched = await database.prisma.lead.findUniqueOrThrow({ where: { id: bystander.id } });
    expect(untouched.updatedAt).toEqual(bystander.updatedAt);
  });
});

describe('the embeddable script', () => {
  it('is served as JavaScript that any site may load', async () => {
    const response = await app.yoga.fetch('http://api.test/embed.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.text()).toContain('form[data-streamleads]');
  });
});
