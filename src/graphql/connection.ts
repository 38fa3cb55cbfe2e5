import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { Cursor, type EntityName, type FilterQuery, type QueryOrderMap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../shared/errors.js';
import { leanFind } from '../db/lean.js';

export const MAX_PAGE = 100;

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** Relay pagination arguments; `first` or `last` (1–100) is required. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size from the start, 1 to 100.' })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: 'Page size from the end, 1 to 100.' })
  last?: number | null;

  @Field(() => String, { nullable: true })
  before?: string | null;
}

/** Refuses unbounded or contradictory page arguments (GitHub's rule: 1 to 100). */
export function checkPageArgs(a: PageArgs): void {
  const bad = (n: number | null | undefined) => n != null && (!Number.isInteger(n) || n < 1 || n > MAX_PAGE);
  if ((a.first == null) === (a.last == null)) {
    throw new AppError('PAGINATION_BOUNDS', 'give exactly one of first or last, from 1 to 100');
  }
  if (bad(a.first) || bad(a.last)) {
    throw new AppError(
      'PAGINATION_BOUNDS',
      `first/last must be from 1 to ${MAX_PAGE}, got ${a.first ?? a.last}`,
    );
  }
  for (const c of [a.after, a.before]) {
    if (c != null) {
      try {
        Cursor.decode(c);
      } catch {
        throw new AppError('BAD_USER_INPUT', 'after/before: not a cursor from this API');
      }
    }
  }
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}

/** Creates the `XConnection` and `XEdge` GraphQL types for a node type. */
export function connectionOf<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class Conn implements ConnectionShape<T> {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    countFn!: () => Promise<number>;

    @Field(() => Int, { description: 'Counted only when asked for.' })
    totalCount(): Promise<number> {
      return this.countFn();
    }
  }
  return Conn;
}

/**
 * Runs one keyset-paginated query and returns a connection. The count runs only if the client
 * selects `totalCount`. `lean` reads the page without entity hydration (see `src/db/lean.ts`):
 * for read-only lists whose nodes are only serialised; with it, `fields` (from `projection`) limits
 * the columns read (it must hold the primary key and the sort keys).
 */
export async function paginate<E extends object, C extends ConnectionShape<E>>(
  Conn: new () => C,
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  orderBy: QueryOrderMap<E>,
  args: PageArgs,
  opts: { lean?: boolean; fields?: readonly string[] | null } = {},
): Promise<C> {
  checkPageArgs(args);
  const options = {
    first: args.first ?? undefined,
    last: args.last ?? undefined,
    after: args.after ?? undefined,
    before: args.before ?? undefined,
    orderBy: orderBy as never,
    includeCount: false,
  };
  const leanOptions = { ...options, overfetch: true, ...(opts.fields ? { fields: opts.fields } : {}) };
  const cur = opts.lean
    ? new Cursor<E>(
        (await leanFind(em, entity, where, leanOptions as never)) as never,
        undefined as unknown as number,
        leanOptions as never,
        em.getMetadata().get((entity as { name: string }).name),
      )
    : await em.findByCursor(entity, where, options);
  const conn = new Conn();
  conn.nodes = [...cur.items] as E[];
  // Edges (a cursor each) are built only if the selection reads them.
  let edges: typeof conn.edges | undefined;
  Object.defineProperty(conn, 'edges', {
    get: () => (edges ??= conn.nodes.map((n) => ({ cursor: cur.from(n as never), node: n }))),
    enumerable: true,
  });
  const info = new PageInfo();
  info.hasNextPage = cur.hasNextPage;
  info.hasPreviousPage = cur.hasPrevPage;
  info.startCursor = cur.startCursor;
  info.endCursor = cur.endCursor;
  conn.pageInfo = info;
  (conn as unknown as { countFn: () => Promise<number> }).countFn = () => em.count(entity, where);
  return conn;
}
