/**
 * The platform's coded errors. `code` is stable and goes to `extensions.code`; the message says
 * what was expected and what arrived, and never contains personal data.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Input failed validation; `fields` names every bad field. */
export class ValidationError extends AppError {
  constructor(readonly fields: { field: string; message: string }[]) {
    super('BAD_USER_INPUT', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} does not exist or is not visible to you`);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'you are not allowed to do this') {
    super('FORBIDDEN', message);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'a valid bearer token is required') {
    super('UNAUTHENTICATED', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/** The body of a coded refusal answered over HTTP outside GraphQL execution, shaped as a GraphQL error. */
export function errorBody(code: string, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

/** Chinese texts keyed by code, for the pages and for clients that show errors to people. */
export const ERROR_TEXT_ZH: Record<string, string> = {
  BAD_USER_INPUT: '输入有误',
  NOT_FOUND: '记录不存在或无权查看',
  FORBIDDEN: '无权执行此操作',
  UNAUTHENTICATED: '请先登录',
  CONFLICT: '数据已被他人修改或存在冲突',
  INTERNAL_SERVER_ERROR: '服务器内部错误',
  GRAPHQL_VALIDATION_FAILED: '查询语句无效',
  GRAPHQL_PARSE_FAILED: '查询语句无法解析',
  PAGINATION_BOUNDS: '分页参数超出范围（1–100）',
  QUERY_TOO_COMPLEX: '查询过于复杂',
};
