import type { Client } from '@urql/core';
import { graphql } from '$lib/graphql/generated/gql';
import type { LeadImportProgressFieldsFragment } from '$lib/graphql/generated/graphql';

/** How many row errors the API reports at most (server/src/inbound/csv-import.ts). */
export const MAX_REPORTED_ERRORS = 1_000;

/** How often a running import is read; its job commits progress once per few thousand rows. */
export const PROGRESS_INTERVAL_MS = 1_000;

graphql(`
  fragment LeadImportProgressFields on LeadImport {
    id
    filename
    state
    totalRows
    processed
    created
    merged
    invalid
    error
  }
`);

export const checkLeadImportMutation = graphql(`
  mutation CheckLeadImport($file: File!, $mapping: LeadImportMappingInput!) {
    checkLeadImport(file: $file, mapping: $mapping) {
      __typename
      ... on LeadImportCheck {
        totalRows
        validRows
        invalidRows
        errors {
          row
          path
          message
        }
      }
      ...ValidationFailure
      ... on Error {
        message
      }
    }
  }
`);

export const importLeadsMutation = graphql(`
  mutation ImportLeads($file: File!, $mapping: LeadImportMappingInput!) {
    importLeads(file: $file, mapping: $mapping) {
      __typename
      ... on LeadImport {
        ...LeadImportProgressFields
      }
      ...ValidationFailure
      ... on Error {
        message
      }
    }
  }
`);

const leadImportQuery = graphql(`
  query LeadImportProgress($id: ID!) {
    leadImport(id: $id) {
      __typename
      ... on LeadImport {
        ...LeadImportProgressFields
      }
      ... on Error {
        message
      }
    }
  }
`);

export type LeadImportProgress = LeadImportProgressFieldsFragment;

export function isFinished(progress: LeadImportProgress): boolean {
  return progress.state === 'SUCCEEDED' || progress.state === 'FAILED';
}

/** A typed error result's message: its field errors when it has them, its message otherwise. */
export function resultMessage(
  result: { message: string; fieldErrors?: readonly { message: string }[] },
  list: (items: string[]) => string,
): string {
  const fieldErrors = result.fieldErrors?.map((error) => error.message) ?? [];
  return fieldErrors.length > 0 ? list(fieldErrors) : result.message;
}

/**
 * Reads an import until it finishes, reporting each reading. The API has no subscription for
 * imports; a reading a second is cheap (one row by primary key). A reading lost on the way is
 * reported and retried: the job goes on whether or not this page hears of it. Returns a function
 * that stops.
 */
export function followLeadImport(
  client: Client,
  id: string,
  handlers: {
    onProgress(progress: LeadImportProgress): void;
    /** `retrying`: the reading failed on the way and is tried again; otherwise reading stopped. */
    onError(reason: string, retrying: boolean): void;
  },
  intervalMs = PROGRESS_INTERVAL_MS,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  async function read() {
    const result = await client
      .query(leadImportQuery, { id }, { requestPolicy: 'network-only' })
      .toPromise();
    if (stopped) return;
    const found = result.data?.leadImport;
    if (found?.__typename === 'LeadImport') {
      handlers.onProgress(found);
      if (isFinished(found)) return;
    } else if (found) {
      // Not found, or no longer allowed: asking again will not change the answer.
      handlers.onError(found.message, false);
      return;
    } else {
      handlers.onError(result.error?.message ?? 'No answer', true);
    }
    timer = setTimeout(() => void read(), intervalMs);
  }
  void read();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
