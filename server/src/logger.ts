import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs. Personal data of leads never goes to logs: paths below are censored. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'streamleads' },
    redact: {
      paths: ['*.email', '*.phone', '*.name', 'lead.*', 'input.*', 'variables.*', 'password'],
      censor: '[redacted]',
    },
  });
}
