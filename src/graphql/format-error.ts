import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import type { ValidationError as ClassValidationError } from 'class-validator';
import { AppError, ERROR_TEXT_ZH } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

function flatten(errors: ClassValidationError[], prefix = ''): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    for (const m of Object.values(e.constraints ?? {})) out.push({ field: path, message: m });
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}

/**
 * One formatter for every error: coded errors keep their code and message, validation errors
 * name each field, anything else is masked to the client and logged in full.
 */
export function makeFormatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { locations: formatted.locations, path: formatted.path };
    if (original instanceof AppError) {
      return {
        ...base,
        message: original.message,
        extensions: {
          code: original.code,
          messageZh: ERROR_TEXT_ZH[original.code],
          ...(original.details ?? {}),
        },
      };
    }
    if (original instanceof ArgumentValidationError) {
      const fields = flatten(original.extensions.validationErrors as ClassValidationError[]);
      return {
        ...base,
        message: fields.map((f) => `${f.field}: ${f.message}`).join('; ') || 'invalid input',
        extensions: { code: 'BAD_USER_INPUT', messageZh: ERROR_TEXT_ZH.BAD_USER_INPUT, fields },
      };
    }
    // Apollo re-codes validation errors; our limit rules' own codes live on the wrapped error.
    const inner = original instanceof GraphQLError ? original.originalError : undefined;
    if (inner instanceof GraphQLError && typeof inner.extensions.code === 'string') {
      return {
        ...base,
        message: formatted.message,
        extensions: { code: inner.extensions.code, messageZh: ERROR_TEXT_ZH.QUERY_TOO_COMPLEX },
      };
    }
    const code = formatted.extensions?.code;
    if (original instanceof GraphQLError && typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      return { ...base, message: formatted.message, extensions: { code, messageZh: ERROR_TEXT_ZH[code] } };
    }
    if (original instanceof GraphQLError && !original.originalError && code === undefined) {
      return { ...base, message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
    }
    log.error({ err: original, path: formatted.path }, 'internal error in resolver');
    return {
      ...base,
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR', messageZh: ERROR_TEXT_ZH.INTERNAL_SERVER_ERROR },
    };
  };
}
