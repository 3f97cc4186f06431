import { builder } from './builder.ts';
import { serverVersion } from './version.ts';

builder.queryField('version', (t) =>
  t.string({
    description: 'The StreamLeads server version, for clients checking what they talk to.',
    resolve: () => serverVersion,
  }),
);
