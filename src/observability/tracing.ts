import type { Logger } from '../shared/logger.js';

/** One timed unit of work (a GraphQL operation). */
export interface Span {
  setAttribute(key: string, value: string | number | boolean): void;
  recordError(code: string): void;
  end(): void;
}

/**
 * The tracing seam. The service ships no OpenTelemetry SDK (no package, no exporter, no call
 * home); a deployment that wants OTLP wraps `@opentelemetry/api`'s tracer in this interface
 * (`startSpan` → `tracer.startSpan(name, { attributes })`, `end` → `span.end()`) and passes it to
 * `setTracer` before `startPlatform`. `TRACING=log` selects the built-in log tracer below.
 */
export interface Tracer {
  startSpan(name: string, attributes: Record<string, string | number | boolean>): Span;
}

const NOOP_SPAN: Span = { setAttribute: () => undefined, recordError: () => undefined, end: () => undefined };

/** Traces nothing (TRACING=off). */
export const NOOP_TRACER: Tracer = { startSpan: () => NOOP_SPAN };

/** Writes each finished span as one structured log line (`msg: 'span'`) with its duration. */
export function logTracer(log: Logger): Tracer {
  return {
    startSpan(name, attributes) {
      const started = process.hrtime.bigint();
      const attrs: Record<string, string | number | boolean> = { ...attributes };
      const errors: string[] = [];
      return {
        setAttribute: (k, v) => {
          attrs[k] = v;
        },
        recordError: (code) => {
          errors.push(code);
        },
        end: () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          log.info(
            { span: name, durationMs: Math.round(ms * 1000) / 1000, attributes: attrs, errors },
            'span',
          );
        },
      };
    },
  };
}

let external: Tracer | null = null;

/** Installs an external tracer (an OpenTelemetry adapter); it wins over the TRACING setting. */
export function setTracer(t: Tracer | null): void {
  external = t;
}

/** The tracer for a platform: an installed external one, else the one TRACING selects. */
export function tracerFor(mode: 'off' | 'log', log: Logger): Tracer {
  if (external) return external;
  return mode === 'log' ? logTracer(log) : NOOP_TRACER;
}
