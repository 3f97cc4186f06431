import { readFile, writeFile } from 'node:fs/promises';

/** One figure beside its target, when it has one. */
export interface Figure {
  measure: string;
  value: string;
  /** e.g. "≥ 35% of raw SQL"; empty when the figure is for information. */
  target?: string;
  met?: boolean;
}

export interface Section {
  title: string;
  /** Column names, then rows of cells. */
  columns: string[];
  rows: string[][];
}

export const fixed = (value: number, digits = 1) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    : 'n/a';
export const whole = (value: number) => fixed(value, 0);

function table(columns: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(columns), line(columns.map(() => '---')), ...rows.map(line)].join('\n');
}

export function targetsSection(figures: Figure[]): Section {
  return {
    title: 'Targets',
    columns: ['measure', 'figure', 'target', 'met'],
    rows: figures.map((figure) => [
      figure.measure,
      figure.value,
      figure.target ?? '',
      figure.met === undefined ? '' : figure.met ? 'met' : '**not met**',
    ]),
  };
}

export function markdown(options: {
  heading: string;
  sections: Section[];
  notes: string[];
}): string {
  return [
    options.heading,
    ...options.sections.flatMap((section) => [
      `**${section.title}**`,
      table(section.columns, section.rows),
    ]),
    ...options.notes,
  ].join('\n\n');
}

/**
 * Replaces what sits between the README's `<!-- <section>:start -->` and `<!-- <section>:end -->`
 * markers with `content`; `bench` is pnpm bench's table, `bench:dashboard` the page timings.
 */
export async function updateReadme(
  readmePath: string,
  content: string,
  section = 'bench',
): Promise<boolean> {
  const startMarker = `<!-- ${section}:start -->`;
  const readme = await readFile(readmePath, 'utf8');
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(`<!-- ${section}:end -->`);
  if (start === -1 || end < start) return false;
  const updated = `${readme.slice(0, start + startMarker.length)}\n\n${content}\n\n${readme.slice(end)}`;
  await writeFile(readmePath, updated);
  return true;
}
