import { builder } from './builder.ts';
import './errors.schema.ts';
import './system.schema.ts';

export const schema = builder.toSchema({ sortSchema: true });
