import { DataloaderType, MikroORM, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver, defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

/** The database role the service runs as: it may only INSERT into the audit table. */
export const APP_ROLE = 'shuangsui_app';

export interface OrmOptions {
  url: string;
  /** Switch each pooled connection to the restricted application role. */
  useAppRole: boolean;
  poolMax?: number;
  /** Called for every SQL statement (tests count queries to catch N+1). */
  onQuery?: (sql: string) => void;
}

/** Builds the MikroORM configuration for PostgreSQL. */
export function ormConfig(opts: OrmOptions): Options<PostgreSqlDriver> {
  return defineConfig({
    clientUrl: opts.url,
    entities: ENTITIES,
    dataloader: DataloaderType.ALL,
    forceUtcTimezone: true,
    allowGlobalContext: false,
    extensions: [Migrator],
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      glob: 'Migration*.{js,ts}',
      path: 'src/db/migrations',
      pathTs: 'src/db/migrations',
      emit: 'ts',
      fileName: (timestamp: string, name?: string) => `Migration${timestamp}${name ? '_' + name : ''}`,
    },
    pool: {
      min: 0,
      max: opts.poolMax ?? 10,
      ...(opts.useAppRole
        ? {
            afterCreate: (
              conn: { query: (sql: string, cb: (err: Error | null) => void) => void },
              done: (err: Error | null, conn: unknown) => void,
            ) => {
              conn.query(`SET ROLE ${APP_ROLE}`, (err) => done(err, conn));
            },
          }
        : {}),
    },
    debug: opts.onQuery ? ['query'] : false,
    logger: opts.onQuery ? (msg: string) => opts.onQuery!(msg) : () => undefined,
  });
}

/** Opens an ORM instance. */
export async function openOrm(opts: OrmOptions): Promise<MikroORM<PostgreSqlDriver>> {
  return MikroORM.init(ormConfig(opts));
}

/** Applies pending migrations as the database owner; returns the names applied. */
export async function migrate(url: string): Promise<string[]> {
  const orm = await openOrm({ url, useAppRole: false, poolMax: 2 });
  try {
    const done = await orm.getMigrator().up();
    return done.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}

/** Names of migrations not yet applied (for /readyz). */
export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  const pending = await orm.getMigrator().getPendingMigrations();
  return pending.map((m) => m.name);
}
