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

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

/** Replaces what sits between the bench markers of the README with `content`. */
export async function updateReadme(readmePath: string, content: string): Promise<boolean> {
  const readme = await readFile(readmePath, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end < start) return false;
  const updated = `${readme.slice(0, start + README_START.length)}\n\n${content}\n\n${readme.slice(end)}`;
  await writeFile(readmePath, updated);
  return true;
}
