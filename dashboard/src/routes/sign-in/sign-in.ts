import type { Client, OperationResult } from '@urql/core';
import { retryAfterSeconds } from '$lib/graphql/api-errors';
import { graphql } from '$lib/graphql/generated/gql';
import type { SignInMutation } from '$lib/graphql/generated/graphql';

const signInMutation = graphql(`
  mutation SignIn($email: String!, $password: String!) {
    signIn(email: $email, password: $password) {
      __typename
      ... on SignInPayload {
        user {
          id
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

/**
 * - `signed-in`: the API started a session and set its cookie.
 * - `invalid`: wrong email or password (the API does not say which).
 * - `locked`: too many failures for this email; the wait is in seconds.
 * - `failed`: anything else (refused input, the API unreachable), with its message.
 */
export type SignInOutcome =
  | { kind: 'signed-in' }
  | { kind: 'invalid' }
  | { kind: 'locked'; retryAfterSeconds: number }
  | { kind: 'failed'; message: string };

export function signInOutcome(
  result: Pick<OperationResult<SignInMutation>, 'data' | 'error'>,
): SignInOutcome {
  const answer = result.data?.signIn;
  if (answer?.__typename === 'SignInPayload') return { kind: 'signed-in' };
  if (answer?.__typename === 'InvalidCredentialsError') return { kind: 'invalid' };
  if (answer) return { kind: 'failed', message: answer.message };
  // A lockout is a GraphQL error (HTTP 429), not a typed result: it stops every attempt alike.
  const wait = retryAfterSeconds(result.error);
  if (wait !== undefined) return { kind: 'locked', retryAfterSeconds: wait };
  return { kind: 'failed', message: result.error?.message ?? 'No answer' };
}

export async function signIn(
  client: Client,
  email: string,
  password: string,
): Promise<SignInOutcome> {
  return signInOutcome(await client.mutation(signInMutation, { email, password }).toPromise());
}
