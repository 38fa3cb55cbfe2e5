import { pino, type Logger } from 'pino';
import { redactText } from '../modules/identity/identifiers.js';

export type { Logger };

/** Masks ID numbers and phone numbers inside free text (the same rules as publication redaction). */
export function scrubPii(text: string): string {
  return redactText(text, { mode: 'mask' });
}

function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubPii(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return {
      type: value.name,
      message: scrubPii(value.message),
      stack: value.stack ? scrubPii(value.stack) : undefined,
      code: (value as { code?: unknown }).code,
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, depth + 1);
  return out;
}

/**
 * Creates the service logger: structured JSON, PII scrubbed from messages and fields.
 * @example const log = createLogger('info'); log.info({ requestId }, 'request done');
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'shuangsui' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (obj) => scrubValue(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubPii(a) : a)) as Parameters<
            typeof method
          >;
          return method.apply(this, scrubbed);
        },
      },
      serializers: { err: (e: unknown) => scrubValue(e) },
    },
    destination,
  );
}
