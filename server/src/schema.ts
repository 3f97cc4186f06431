import { builder } from './builder.ts';
import './errors.schema.ts';
import './system.schema.ts';
import './access/access.schema.ts';
import './leads/leads.schema.ts';
import './leads/lead-list.schema.ts';
import './leads/lead-stats.schema.ts';
import './privacy/privacy.schema.ts';
import './live/live.schema.ts';
import './scoring/scoring.schema.ts';
import './automations/automations.schema.ts';
import './automations/email/email.schema.ts';
import './automations/remarketing/remarketing.schema.ts';
import './inbound/inbound.schema.ts';
import './inbound/web-form.schema.ts';
import './pipeline/pipeline.schema.ts';
import './pipeline/pipeline-stats.schema.ts';

export const schema = builder.toSchema({ sortSchema: true });
