// A CSV reader for imports (RFC 4180: quoted fields, doubled quotes, CRLF or LF). Spreadsheets in
// Brazil export with ';' (',' is the decimal separator), so the delimiter is the header's.

/** The header and the data rows of a CSV text. */
export interface CsvTable {
  header: string[];
  rows: string[][];
}

export function parseCsv(text: string): CsvTable {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstLine = body.slice(0, body.search(/\r?\n|$/));
  const delimiter =
    (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let index = 0;
  const length = body.length;
  while (index < length) {
    const char = body[index]!;
    if (quoted) {
      if (char === '"') {
        if (body[index + 1] === '"') {
          field += '"';
          index += 2;
          continue;
        }
        quoted = false;
        index += 1;
        continue;
      }
      // Copy up to the next quote in one slice: most fields have none.
      const next = body.indexOf('"', index);
      const end = next === -1 ? length : next;
      field += body.slice(index, end);
      index = end;
      continue;
    }
    if (char === '"' && field === '') {
      quoted = true;
      index += 1;
    } else if (char === delimiter) {
      record.push(field);
      field = '';
      index += 1;
    } else if (char === '\n' || char === '\r') {
      record.push(field);
      field = '';
      records.push(record);
      record = [];
      index += char === '\r' && body[index + 1] === '\n' ? 2 : 1;
    } else {
      field += char;
      index += 1;
    }
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const nonEmpty = records.filter((row) => row.some((value) => value.trim() !== ''));
  const [header = [], ...rows] = nonEmpty;
  return { header: header.map((name) => name.trim()), rows };
}
