import type { Client } from '@urql/core';
import { LEAD_CLASS_LABELS } from '$lib/charts/lead-classes';
import { graphql } from '$lib/graphql/generated/gql';
import type { LeadFilter, LeadOrder } from '$lib/graphql/generated/graphql';
import type { I18n } from '$lib/i18n/i18n.svelte';
import { csvDelimiter, csvLines, UTF8_BOM } from '$lib/leads/csv';
import { ORIGIN_LABELS } from '$lib/leads/lead-labels';

const EXPORT_PAGE_SIZE = 100;

const leadExportPage = graphql(`
  query LeadExportPage(
    $filter: LeadFilter
    $orderBy: LeadOrder
    $first: Int
    $after: String
    $withTotal: Boolean!
  ) {
    leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after, export: true) {
      __typename
      ... on LeadConnection {
        totalCount @include(if: $withTotal)
        pageInfo {
          endCursor
          hasNextPage
        }
        edges {
          node {
            id
            name
            email
            phone
            city
            origin
            status
            score
            approximateIncome
            interest
            createdAt
            followUpAt
          }
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export interface ExportLeadsOptions {
  client: Client;
  i18n: I18n;
  filter: LeadFilter;
  orderBy: LeadOrder;
  /** Called after each page with the leads written so far and the total to write. */
  onProgress?: (count: number, total: number) => void;
}

/**
 * Every lead the filter selects, read page by page (100 at a time, so a large list never sits in
 * one response) and saved as a CSV file that Excel in Portuguese opens as it is.
 */
export async function exportLeadsCsv({
  client,
  i18n,
  filter,
  orderBy,
  onProgress,
}: ExportLeadsOptions): Promise<void> {
  const delimiter = csvDelimiter(i18n.locale);
  const t = i18n.t;
  const parts: string[] = [
    UTF8_BOM,
    csvLines(
      [
        [
          'id',
          t('leads.column.name'),
          t('leads.column.email'),
          t('leads.column.phone'),
          t('leads.column.city'),
          t('leads.column.origin'),
          t('leads.column.status'),
          t('leads.column.score'),
          'approximateIncome',
          'interest',
          t('leads.column.createdAt'),
          t('leads.column.followUpAt'),
        ],
      ],
      delimiter,
    ),
  ];
  let after: string | undefined;
  let count = 0;
  let total = 0;
  for (;;) {
    // The exact total, counted once with the first page: at a million leads a full count costs
    // as much as a hundred pages.
    const withTotal = after === undefined;
    const { data, error } = await client
      .query(
        leadExportPage,
        { filter, orderBy, first: EXPORT_PAGE_SIZE, after, withTotal },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    if (error) throw error;
    const result = data?.leads;
    if (!result) throw new Error('No data');
    if (result.__typename !== 'LeadConnection') throw new Error(result.message);
    parts.push(
      csvLines(
        result.edges.map(({ node }) => [
          node.id,
          node.name,
          node.email,
          node.phone,
          node.city,
          t(ORIGIN_LABELS[node.origin]),
          t(LEAD_CLASS_LABELS[node.status]),
          node.score,
          node.approximateIncome,
          node.interest,
          node.createdAt,
          node.followUpAt,
        ]),
        delimiter,
      ),
    );
    count += result.edges.length;
    if (result.totalCount != null) total = result.totalCount;
    // Leads that arrive during the export can take the count written past the first total.
    onProgress?.(count, Math.max(total, count));
    if (!result.pageInfo.hasNextPage || !result.pageInfo.endCursor) break;
    after = result.pageInfo.endCursor;
  }
  download(
    new Blob(parts, { type: 'text/csv;charset=utf-8' }),
    `leads-${new Date().toISOString().slice(0, 10)}.csv`,
  );
}

function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked on the next turn: Chromium reads the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
