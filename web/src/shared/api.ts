/**
 * The pages' GraphQL client: POST /graphql with JSON (which satisfies the server's CSRF
 * prevention), an optional bearer token, and errors turned into {@link ApiError}s keyed by
 * `extensions.code`.
 */

/** One GraphQL error as the server formats it. */
export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; messageZh?: string; [k: string]: unknown };
}

/** A failed request; `code` is the server's stable `extensions.code` (or a transport code). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly messageZh?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * True when the server does not know a field of the query: the module that serves it has not
 * landed yet (or is switched off). Panels show "not available" instead of an error.
 */
export function isUnavailable(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'GRAPHQL_VALIDATION_FAILED';
}

/** Sends one operation; resolves with `data`, rejects with the first error as an {@link ApiError}. */
export async function gql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string | null,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (e) {
    throw new ApiError('NETWORK', e instanceof Error ? e.message : String(e), '网络连接失败');
  }
  let body: { data?: T | null; errors?: GraphQLErrorBody[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new ApiError(
      `HTTP_${res.status}`,
      `the server answered ${res.status} without JSON`,
      '服务器响应异常',
    );
  }
  const first = body.errors?.[0];
  if (first) {
    throw new ApiError(
      first.extensions?.code ?? `HTTP_${res.status}`,
      first.message,
      first.extensions?.messageZh,
    );
  }
  if (body.data === undefined || body.data === null) {
    throw new ApiError(`HTTP_${res.status}`, 'the server answered without data', '服务器响应异常');
  }
  return body.data;
}
