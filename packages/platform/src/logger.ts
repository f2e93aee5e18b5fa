import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** One structured logger per process; secrets in headers are redacted wherever they appear. */
export function createLogger(service: string, level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    base: { service },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers["x-terrarium-caller"]',
        'headers.authorization',
        'password',
        '*.password',
      ],
      censor: '[redacted]',
    },
  });
}
