import type {
  InboundPayloadStatus,
  InboundPayloadToFixFragment,
  SubmissionChannel,
} from '$lib/graphql/generated/graphql';

/** The payloads an admin has to act on: the worker gave up on them. */
export const ATTENTION_STATES = ['UNMAPPABLE', 'FAILED'] as const satisfies InboundPayloadStatus[];
export type AttentionState = (typeof ATTENTION_STATES)[number];

/** The channels that store raw payloads (the ad platforms' webhooks). */
export const PAYLOAD_CHANNELS = ['META_ADS', 'GOOGLE_ADS'] as const satisfies SubmissionChannel[];

/** What the list shows: `ALL` for no filter. */
export interface PayloadFilter {
  status: AttentionState | 'ALL';
  channel: SubmissionChannel | 'ALL';
}

/** Both states in one list, newest first, as the API orders each of them. */
export function newestFirst(
  ...lists: readonly (readonly InboundPayloadToFixFragment[])[]
): InboundPayloadToFixFragment[] {
  return lists
    .flat()
    .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.id.localeCompare(a.id));
}

export function filtered(
  payloads: readonly InboundPayloadToFixFragment[],
  filter: PayloadFilter,
): InboundPayloadToFixFragment[] {
  return payloads.filter(
    (payload) =>
      (filter.status === 'ALL' || payload.status === filter.status) &&
      (filter.channel === 'ALL' || payload.channel === filter.channel),
  );
}

/**
 * The ad platform's form id in a payload (both Meta's leadgen change and Google's webhook carry
 * form_id): the key of the per-form mapping an admin fixes.
 */
export function formIdOf(payload: unknown): string | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const formId = (payload as Record<string, unknown>)['form_id'];
  return typeof formId === 'string' || typeof formId === 'number' ? String(formId) : undefined;
}

/** Where a reprocessed payload stands, from the lists it could be in. */
export type ReprocessProgress =
  | { stage: 'queued' }
  | { stage: 'processed'; lead: { id: string; name: string } | null }
  | { stage: 'refused'; status: AttentionState; reason: string | null };

interface PayloadLists {
  received: readonly { id: string }[];
  unmappable: readonly { id: string; reason?: string | null }[];
  failed: readonly { id: string; reason?: string | null }[];
  processed: readonly { id: string; lead?: { id: string; name: string } | null }[];
}

/**
 * Reprocessing only queues a payload; the worker decides. Back in UNMAPPABLE or FAILED it was
 * refused again; still RECEIVED it is waiting. In none of those lists it was processed: the
 * PROCESSED list holds only the newest payloads, so an old one's lead may not be known.
 */
export function reprocessProgress(id: string, lists: PayloadLists): ReprocessProgress {
  const has = <T extends { id: string }>(list: readonly T[]) => list.find((item) => item.id === id);
  const unmappable = has(lists.unmappable);
  if (unmappable)
    return { stage: 'refused', status: 'UNMAPPABLE', reason: unmappable.reason ?? null };
  const failed = has(lists.failed);
  if (failed) return { stage: 'refused', status: 'FAILED', reason: failed.reason ?? null };
  if (has(lists.received)) return { stage: 'queued' };
  return { stage: 'processed', lead: lists.processed.find((p) => p.id === id)?.lead ?? null };
}
