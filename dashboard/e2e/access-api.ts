import { SESSION_COOKIE, type ApiAccess } from './api';

/** A GraphQL answer as it comes over HTTP: data, or errors with their codes. */
export interface GraphqlAnswer<T> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post<T>(
  url: string,
  headers: Record<string, string>,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphqlAnswer<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    ...((await response.json()) as Omit<GraphqlAnswer<T>, 'status'>),
  };
}

/** An operation with a person's session, as the dashboard sends it. */
export function asSession<T>(
  api: ApiAccess,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphqlAnswer<T>> {
  return post<T>(api.url, { cookie: `${SESSION_COOKIE}=${api.sessionToken}` }, query, variables);
}

/** An operation with an API key in X-API-Key, as n8n or a script sends it (no Origin). */
export function asApiKey<T>(
  url: string,
  key: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphqlAnswer<T>> {
  return post<T>(url, { 'x-api-key': key }, query, variables);
}

/** The leads whose name, email or phone contain the text, as an admin reads them. */
export async function searchLeads(
  api: ApiAccess,
  search: string,
): Promise<{ id: string; name: string; email: string }[]> {
  const answer = await asSession<{
    leads: { edges?: { node: { id: string; name: string; email: string } }[]; message?: string };
  }>(
    api,
    `query E2eSearchLeads($filter: LeadFilter) {
      leads(filter: $filter, first: 100) {
        __typename
        ... on LeadConnection { edges { node { id name email } } }
        ... on Error { message }
      }
    }`,
    { filter: { search } },
  );
  const edges = answer.data?.leads.edges;
  if (!edges) throw new Error(`leads(${search}) failed: ${JSON.stringify(answer)}`);
  return edges.map((edge) => edge.node);
}
