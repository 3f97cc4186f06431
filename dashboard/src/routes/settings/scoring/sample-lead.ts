import type { LeadOrigin, PreviewLeadInput } from '$lib/graphql/generated/graphql';

/** The hypothetical lead the preview scores, as its form holds it ("" for a field left out). */
export interface SampleLead {
  name: string;
  email: string;
  phone: string;
  origin: LeadOrigin | '';
  city: string;
  approximateIncome: string;
  interest: string;
}

/**
 * The example of the original system's documentation: it scores 37 with the default rules
 * (every required field, a high-ticket interest, a served city, income in the 10,000 band).
 */
export const DOCUMENTED_SAMPLE: SampleLead = {
  name: 'Maria Souza',
  email: 'maria.souza@example.com',
  phone: '11 98765-4321',
  origin: 'SITE',
  city: 'São Paulo',
  approximateIncome: '15000',
  interest: 'Apartamento para investimento',
};

/** The preview's input: blank fields are left out, which is how the API reads "missing". */
export function previewInput(sample: SampleLead): PreviewLeadInput {
  const input: PreviewLeadInput = {};
  const name = sample.name.trim();
  const email = sample.email.trim();
  const phone = sample.phone.trim();
  const city = sample.city.trim();
  const income = sample.approximateIncome.trim();
  const interest = sample.interest.trim();
  if (name) input.name = name;
  if (email) input.email = email;
  if (phone) input.phone = phone;
  if (sample.origin) input.origin = sample.origin;
  if (city) input.city = city;
  if (income) input.approximateIncome = income;
  if (interest) input.interest = interest;
  return input;
}
