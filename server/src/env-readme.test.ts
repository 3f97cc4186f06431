// The README's Configuration table is the users' reference for every variable: keep it exact.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { envVariableNames } from './env.ts';

async function documentedVariables(): Promise<string[]> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((match) => match[1]!);
}

describe('README configuration table', () => {
  it('documents every variable env.ts reads, and no other', async () => {
    expect((await documentedVariables()).sort()).toEqual([...envVariableNames].sort());
  });
});
