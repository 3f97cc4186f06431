import Papa from 'papaparse';
import type { LeadImportMappingInput, LeadOrigin } from '$lib/graphql/generated/graphql';
import type { MessageKey } from '$lib/i18n/pt-br';

/** Lead fields a CSV column can fill, in the order the mapping form lists them. */
export const IMPORT_FIELDS = [
  'name',
  'email',
  'phone',
  'origin',
  'interest',
  'approximateIncome',
  'city',
  'notes',
] as const satisfies readonly (keyof LeadImportMappingInput)[];

export type ImportField = (typeof IMPORT_FIELDS)[number];

/** The API refuses a mapping without these (server/src/inbound/csv-import.ts). */
export const REQUIRED_IMPORT_FIELDS: readonly ImportField[] = ['name', 'email'];

export const IMPORT_FIELD_LABELS: Record<ImportField, MessageKey> = {
  name: 'lead.field.name',
  email: 'lead.field.email',
  phone: 'lead.field.phone',
  origin: 'lead.field.origin',
  interest: 'lead.field.interest',
  approximateIncome: 'lead.field.approximateIncome',
  city: 'lead.field.city',
  notes: 'lead.field.notes',
};

/** The largest file the API imports (server/src/inbound/inbound.schema.ts, maxImportBytes). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

/** Lead field -> the chosen column's header ('' : not imported), and the origin of the rest. */
export interface ColumnMapping {
  columns: Record<ImportField, string>;
  defaultOrigin: LeadOrigin;
}

/**
 * Headers people give these columns in the spreadsheets we see: Portuguese and English, RD
 * Station and Meta exports. Compared without case, accents, spaces or punctuation.
 */
const HEADER_SYNONYMS: Record<ImportField, readonly string[]> = {
  name: ['name', 'nome', 'fullname', 'nomecompleto', 'cliente', 'contato', 'contact'],
  email: ['email', 'mail', 'emailaddress', 'enderecodeemail', 'correioeletronico'],
  phone: ['phone', 'telefone', 'celular', 'whatsapp', 'fone', 'mobile', 'phonenumber', 'tel'],
  origin: ['origin', 'origem', 'source', 'fonte', 'canal', 'channel'],
  interest: ['interest', 'interesse', 'produto', 'product', 'assunto'],
  approximateIncome: [
    'approximateincome',
    'income',
    'renda',
    'rendamensal',
    'rendaaproximada',
    'faturamento',
    'salario',
  ],
  city: ['city', 'cidade', 'municipio'],
  notes: [
    'notes',
    'note',
    'observacoes',
    'observacao',
    'obs',
    'comentarios',
    'mensagem',
    'message',
  ],
};

function normaliseHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * A first mapping for a file's columns: each field takes the first column whose header is one of
 * its usual names, and a column fills one field at most. People check it before the dry run.
 */
export function suggestMapping(header: readonly string[]): ColumnMapping {
  const taken = new Set<string>();
  const columns = {} as Record<ImportField, string>;
  for (const field of IMPORT_FIELDS) {
    const match = header.find(
      (column) => !taken.has(column) && HEADER_SYNONYMS[field].includes(normaliseHeader(column)),
    );
    columns[field] = match ?? '';
    if (match) taken.add(match);
  }
  return { columns, defaultOrigin: 'OTHER' };
}

/** The required fields the mapping leaves without a column. */
export function missingRequiredFields(mapping: ColumnMapping): ImportField[] {
  return REQUIRED_IMPORT_FIELDS.filter((field) => mapping.columns[field] === '');
}

/** The mapping as the API takes it: unmapped fields left out. */
export function toMappingInput(mapping: ColumnMapping): LeadImportMappingInput {
  const input: LeadImportMappingInput = {
    name: mapping.columns.name,
    email: mapping.columns.email,
    defaultOrigin: mapping.defaultOrigin,
  };
  for (const field of IMPORT_FIELDS) {
    if (mapping.columns[field] !== '') input[field] = mapping.columns[field];
  }
  return input;
}

/** The first bytes are enough for the header; a 64 MB file is not read into memory for it. */
const HEADER_PROBE_BYTES = 64 * 1024;

/**
 * The column headers of a CSV file, as the API will read them: the delimiter is the header
 * line's (';' when it has more semicolons than commas, as Brazilian Excel writes), a UTF-8 BOM is
 * dropped and names are trimmed. Empty when the file has no header line.
 */
export async function readCsvHeader(file: Blob): Promise<string[]> {
  const text = await file.slice(0, HEADER_PROBE_BYTES).text();
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstLine = body.slice(0, body.search(/\r?\n|$/));
  const delimiter =
    (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const { data } = Papa.parse<string[]>(body, {
    delimiter,
    preview: 1,
    skipEmptyLines: 'greedy',
  });
  // A repeated header maps to its first column, as on the API: it is listed once.
  const names = (data[0] ?? []).map((name) => name.trim()).filter((name) => name !== '');
  return [...new Set(names)];
}

export type ImportFileProblem = 'notCsv' | 'empty' | 'tooLarge';

/**
 * Why a chosen file cannot be imported, or undefined when it can be sent. The API checks the size
 * too; this spares uploading 64 MB to be refused.
 */
export function importFileProblem(file: {
  name: string;
  type: string;
  size: number;
}): ImportFileProblem | undefined {
  const looksLikeCsv =
    /\.(csv|txt)$/i.test(file.name) || ['text/csv', 'text/plain'].includes(file.type);
  if (!looksLikeCsv) return 'notCsv';
  if (file.size === 0) return 'empty';
  if (file.size > MAX_IMPORT_BYTES) return 'tooLarge';
  return undefined;
}
