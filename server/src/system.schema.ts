import { builder } from './builder.ts';
import { serverVersion } from './version.ts';

builder.queryField('version', (t) =>
  t.string({
    authScopes: { authenticated: true },
    description: 'The StreamLeads server version, for clients checking what they talk to.',
    resolve: () => serverVersion,
  }),
);
