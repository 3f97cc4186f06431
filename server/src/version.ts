import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version?: string;
};

/** The server package's version (0.0.0 until the first release). */
export const serverVersion = manifest.version ?? '0.0.0';
