import type { LeadOrigin, UpdateLeadInput } from '$lib/graphql/generated/graphql';

/** The editable fields of a lead, as the form holds them (text, "" for none). */
export interface LeadDraft {
  name: string;
  email: string;
  phone: string;
  city: string;
  origin: LeadOrigin;
  approximateIncome: string;
  interest: string;
  notes: string;
}

export const DRAFT_FIELDS = [
  'name',
  'email',
  'phone',
  'city',
  'origin',
  'approximateIncome',
  'interest',
  'notes',
] as const satisfies readonly (keyof LeadDraft)[];

type EditableLead = {
  [K in keyof LeadDraft]: K extends 'origin' ? LeadOrigin : string | null | undefined;
};

export function toDraft(lead: EditableLead): LeadDraft {
  return {
    name: lead.name ?? '',
    email: lead.email ?? '',
    phone: lead.phone ?? '',
    city: lead.city ?? '',
    origin: lead.origin,
    approximateIncome: lead.approximateIncome ?? '',
    interest: lead.interest ?? '',
    notes: lead.notes ?? '',
  };
}

/** Only the fields that differ from the saved lead; "" clears an optional field. */
export function changedInput(saved: LeadDraft, draft: LeadDraft): UpdateLeadInput {
  const input: UpdateLeadInput = {};
  for (const field of DRAFT_FIELDS) {
    const value = field === 'origin' ? draft.origin : draft[field].trim();
    if (value === saved[field]) continue;
    if (field === 'origin') input.origin = draft.origin;
    else input[field] = value;
  }
  return input;
}

/** A submission payload as key/value rows; nested values are shown as compact JSON. */
export function payloadEntries(payload: unknown): [string, string][] {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return [['', JSON.stringify(payload)]];
  }
  return Object.entries(payload as Record<string, unknown>)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [
      key,
      typeof value === 'string' ? value : value === null ? '—' : JSON.stringify(value),
    ]);
}
