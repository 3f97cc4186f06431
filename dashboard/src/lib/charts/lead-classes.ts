import type { MessageKey } from '$lib/i18n/pt-br';

/** A lead's class (the API's LeadStatus), in the order charts stack and list them. */
export const LEAD_CLASSES = ['HOT', 'WARM', 'COLD', 'PROCESSING'] as const;

export type LeadClass = (typeof LEAD_CLASSES)[number];

export type ClassCounts = Record<LeadClass, number>;

/**
 * One colour per class wherever a class is drawn. Each has at least 3:1 contrast with the white
 * chart surface (WCAG non-text contrast), and hot (dark red) and warm (amber) differ in lightness,
 * not only in hue, for colour-blind readers. Colour is never the only cue: legends and tables
 * name each class.
 */
export const LEAD_CLASS_COLORS: Record<LeadClass, string> = {
  HOT: '#b91c1c',
  WARM: '#d97706',
  COLD: '#0369a1',
  PROCESSING: '#6b7280',
};

export const LEAD_CLASS_LABELS: Record<LeadClass, MessageKey> = {
  HOT: 'leadClass.HOT',
  WARM: 'leadClass.WARM',
  COLD: 'leadClass.COLD',
  PROCESSING: 'leadClass.PROCESSING',
};
