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
  apiUrl: string,
  input: NewLead,
  awaitScoring = false,
): Promise<CreatedLead> {
  const response = await fetch(apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation E2eCreateLead($input: CreateLeadInput!, $awaitScoring: Boolean) {
        createLead(input: $input, awaitScoring: $awaitScoring) {
          __typename
          ... on CreateLeadPayload { lead { id name status score } }
          ... on Error { message }
        }
      }`,
      variables: { input, awaitScoring },
    }),
  });
  const body = (await response.json()) as {
    data?: { createLead: { __typename: string; lead?: CreatedLead; message?: string } };
    errors?: { message: string }[];
  };
  const result = body.data?.createLead;
  if (!result?.lead) {
    throw new Error(`createLead failed: ${result?.message ?? JSON.stringify(body.errors)}`);
  }
  return result.lead;
}

/** Reads a lead's editable fields over plain HTTP, to check what was saved. */
export async function readLead(
  apiUrl: string,
  id: string,
): Promise<{ name: string; phone: string | null; city: string | null }> {
  const response = await fetch(apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `query E2eReadLead($id: ID!) {
        lead(id: $id) { __typename ... on Lead { name phone city } ... on Error { message } }
      }`,
      variables: { id },
    }),
  });
  const body = (await response.json()) as {
    data?: { lead: { name: string; phone: string | null; city: string | null } };
  };
  if (!body.data) throw new Error(`lead(${id}) failed: ${JSON.stringify(body)}`);
  return body.data.lead;
}

/** Reads or changes the automations settings (maxAttempts and the Slack webhook). */
export async function automationSettings(
  apiUrl: string,
  input?: { maxAttempts?: number; slackWebhookUrl?: string | null },
): Promise<{ maxAttempts: number; slackConfigured: boolean }> {
  const response = await fetch(apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      input
        ? {
            query: `mutation E2eSettings($input: UpdateAutomationSettingsInput!) {
              updateAutomationSettings(input: $input) {
                __typename
                ... on AutomationSettings { maxAttempts slackConfigured }
                ... on Error { message }
              }
            }`,
            variables: { input },
          }
        : { query: '{ automationSettings { maxAttempts slackConfigured } }' },
    ),
  });
  const body = (await response.json()) as {
    data?: Record<string, { maxAttempts?: number; slackConfigured?: boolean; message?: string }>;
  };
  const result = body.data && Object.values(body.data)[0];
  if (result?.maxAttempts === undefined || result.slackConfigured === undefined) {
    throw new Error(`automation settings failed: ${JSON.stringify(body)}`);
  }
  return { maxAttempts: result.maxAttempts, slackConfigured: result.slackConfigured };
}
