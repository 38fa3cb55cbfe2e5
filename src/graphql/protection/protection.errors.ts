import { GraphQLError } from 'graphql';
import { ERROR_TEXT_ZH } from '../../shared/errors.js';

/** Stable codes of the protection layer, with the HTTP status each answers. */
export const PROTECTION_ERRORS = {
  QUERY_TOO_COSTLY: { status: 400, zh: '查询代价超出上限，请减少分页大小或嵌套列表' },
  COST_BUDGET_EXCEEDED: { status: 429, zh: '本分钟查询额度已用完，请稍后再试' },
  RATE_LIMITED: { status: 429, zh: '请求过于频繁，请稍后再试' },
  TRUSTED_DOCUMENT_REQUIRED: { status: 400, zh: '该查询未登记为可信文档' },
  TRUSTED_DOCUMENT_NOT_FOUND: { status: 400, zh: '找不到该文档编号对应的已登记查询' },
  INTROSPECTION_FORBIDDEN: { status: 400, zh: '当前角色不允许内省查询' },
} as const;

export type ProtectionCode = keyof typeof PROTECTION_ERRORS;

// The shared table of Chinese texts is keyed by code; each module adds its own.
for (const [code, e] of Object.entries(PROTECTION_ERRORS)) ERROR_TEXT_ZH[code] ??= e.zh;

/**
 * A coded refusal raised before execution; Apollo answers it with the given HTTP status (and a
 * `Retry-After` header for 429s), graphql-ws as an `error` message.
 */
export function protectionError(
  code: ProtectionCode,
  message: string,
  retryAfterSeconds?: number,
): GraphQLError {
  const headers = new Map<string, string>();
  if (retryAfterSeconds !== undefined) headers.set('retry-after', String(retryAfterSeconds));
  return new GraphQLError(message, {
    extensions: {
      code,
      http: { status: PROTECTION_ERRORS[code].status, headers },
    },
  });
}
