import { inject } from 'vitest';

/** The cookie the API sets at sign-in (server/src/access/access-control.ts). */
export const SESSION_COOKIE = 'streamleads_session';

/** Where the API is and whose session the calls carry. */
export interface ApiAccess {
  url: string;
  /** The value of the session cookie. */
  sessionToken: string;
}

/** The API as the suite's admin, signed in once by the global setup. */
export function adminApi(): ApiAccess {
  return { url: inject('apiUrl'), sessionToken: inject('adminSessionToken') };
}

/**
 * Signs in over plain HTTP, as the dashboard does, and returns the session token the API put in
 * its cookie.
 */
export async function signInToApi(url: string, email: string, password: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation E2eSignIn($email: String!, $password: String!) {
        signIn(email: $email, password: $password) {
          __typename
          ... on Error { message }
        }
      }`,
      variables: { email, password },
    }),
  });
  const body = (await response.json()) as unknown;
  const token = response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0] ?? '')
    .find((pair) => pair.startsWith(`${SESSION_COOKIE}=`))
    ?.slice(SESSION_COOKIE.length + 1);
  if (!token) throw new Error(`signIn(${email}) failed: ${JSON.stringify(body)}`);
  return token;
}

async function request<T>(
  api: ApiAccess,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ data?: T; errors?: { message: string }[] }> {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie: `${SESSION_COOKIE}=${api.sessionToken}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: { message: string }[] };
}

/** A lead as the tests create it through the public API. */
export interface NewLead {
  name: string;
  email: string;
  origin: 'SITE' | 'GOOGLE_ADS' | 'META_ADS' | 'WHATSAPP' | 'REFERRAL' | 'OTHER';
  city?: string;
  phone?: string;
  approximateIncome?: string;
  interest?: string;
}

export interface CreatedLead {
  id: string;
  name: string;
  status: string;
  score: number;
}

/** Creates a lead over plain HTTP, as a web form or n8n would. */
export async function createLead(
  api: ApiAccess,
  input: NewLead,
  awaitScoring = false,
): Promise<CreatedLead> {
  const body = await request<{
    createLead: { __typename: string; lead?: CreatedLead; message?: string };
  }>(
    api,
    `mutation E2eCreateLead($input: CreateLeadInput!, $awaitScoring: Boolean) {
      createLead(input: $input, awaitScoring: $awaitScoring) {
        __typename
        ... on CreateLeadPayload { lead { id name status score } }
        ... on Error { message }
      }
    }`,
    { input, awaitScoring },
  );
  const result = body.data?.createLead;
  if (!result?.lead) {
    throw new Error(`createLead failed: ${result?.message ?? JSON.stringify(body.errors)}`);
  }
  return result.lead;
}

export interface SavedLead {
  name: string;
  phone: string | null;
  city: string | null;
  notes: string | null;
}

/** Reads a lead's editable fields over plain HTTP, to check what was saved. */
export async function readLead(api: ApiAccess, id: string): Promise<SavedLead> {
  const body = await request<{ lead: SavedLead }>(
    api,
    `query E2eReadLead($id: ID!) {
      lead(id: $id) { __typename ... on Lead { name phone city notes } ... on Error { message } }
    }`,
    { id },
  );
  if (!body.data) throw new Error(`lead(${id}) failed: ${JSON.stringify(body)}`);
  return body.data.lead;
}

/** Reads or changes the automations settings (maxAttempts and the Slack webhook). */
export async function automationSettings(
  api: ApiAccess,
  input?: { maxAttempts?: number; slackWebhookUrl?: string | null },
): Promise<{ maxAttempts: number; slackConfigured: boolean }> {
  const body = await request<
    Record<string, { maxAttempts?: number; slackConfigured?: boolean; message?: string }>
  >(
    api,
    input
      ? `mutation E2eSettings($input: UpdateAutomationSettingsInput!) {
          updateAutomationSettings(input: $input) {
            __typename
            ... on AutomationSettings { maxAttempts slackConfigured }
            ... on Error { message }
          }
        }`
      : '{ automationSettings { maxAttempts slackConfigured } }',
    input ? { input } : undefined,
  );
  const result = body.data && Object.values(body.data)[0];
  if (result?.maxAttempts === undefined || result.slackConfigured === undefined) {
    throw new Error(`automation settings failed: ${JSON.stringify(body)}`);
  }
  return { maxAttempts: result.maxAttempts, slackConfigured: result.slackConfigured };
}

/** Creates a person who can sign in to the dashboard (needs an admin's session). */
export async function createUser(
  api: ApiAccess,
  input: { email: string; name: string; password: string; role: 'ADMIN' | 'MANAGER' | 'SALES' },
): Promise<{ id: string }> {
  const body = await request<{ createUser: { __typename: string; id?: string; message?: string } }>(
    api,
    `mutation E2eCreateUser($input: CreateUserInput!) {
      createUser(input: $input) {
        __typename
        ... on User { id }
        ... on Error { message }
      }
    }`,
    { input },
  );
  const result = body.data?.createUser;
  if (!result?.id) {
    throw new Error(`createUser failed: ${result?.message ?? JSON.stringify(body.errors)}`);
  }
  return { id: result.id };
}
