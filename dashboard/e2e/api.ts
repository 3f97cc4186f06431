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
