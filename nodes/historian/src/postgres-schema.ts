import type { PoolClient } from 'pg';

/**
 * Schema and table names accepted: lower-case letters, digits and underscores, up to 63
 * characters (PostgreSQL's limit), so they read the same quoted or not in hand-written SQL.
 */
export const POSTGRES_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The history table's columns and their types as information_schema spells them. */
const COLUMNS: Record<string, string> = {
  tag: 'text',
  ts: 'timestamp with time zone',
  value: 'double precision',
  text: 'text',
  quality: 'smallint',
};

/** A schema-qualified table, checked against POSTGRES_IDENTIFIER and quoted for SQL. */
export interface TableName {
  schema: string;
  table: string;
  /** `"schema"."table"`, safe to put in SQL. */
  quoted: string;
}

/** The table exists but is not shaped like a history table: the operator must pick another or fix it. */
export class TableMismatchError extends Error {}

/** Checks the names and quotes them; throws in plain words when a name is not allowed. */
export function tableName(schema: string, table: string): TableName {
  for (const [what, name] of [
    ['schema', schema],
    ['table', table],
  ] as const) {
    if (!POSTGRES_IDENTIFIER.test(name)) {
      throw new Error(
        `the PostgreSQL ${what} name ${JSON.stringify(name)} is not allowed: use lower-case letters, digits and underscores (up to 63, not starting with a digit)`,
      );
    }
  }
  return { schema, table, quoted: `"${schema}"."${table}"` };
}

/**
 * Makes sure the history table exists (creating schema and table when missing), has the
 * expected columns and its (tag, ts) key, and is a TimescaleDB hypertable when that extension is
 * installed in the database. Returns whether it is a hypertable. Runs in one transaction under an
 * advisory lock so that two stores opening at once do not race on CREATE.
 */
export async function prepareTable(client: PoolClient, name: TableName): Promise<{ hypertable: boolean }> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tagflow-historian ${name.quoted}`]);
    // Look before creating: CREATE ... IF NOT EXISTS still needs the CREATE privilege, which a
    // least-privilege user on an existing table does not have.
    const schemaFound = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name.schema]);
    if (schemaFound.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(name.schema)}`);
    const tableFound = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [
      name.quoted,
    ]);
    if (tableFound.rows[0].found !== true) {
      await client.query(
        `CREATE TABLE ${name.quoted} (
           tag text NOT NULL,
           ts timestamptz NOT NULL,
           value double precision,
           text text,
           quality smallint NOT NULL,
           PRIMARY KEY (tag, ts)
         )`,
      );
    } else {
      await checkExistingTable(client, name);
    }
    const hypertable = await makeHypertable(client, name);
    await client.query('COMMIT');
    return { hypertable };
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
      // The first error is the one worth reporting; the connection is dropped by the caller anyway.
      (err as Error & { rollbackError?: unknown }).rollbackError = rollbackErr;
    });
    throw err;
  }
}

// A table made by hand or by something else: say which columns are wrong instead of failing
// later on the first INSERT with a less obvious message.
async function checkExistingTable(client: PoolClient, name: TableName): Promise<void> {
  const found = await client.query<{ column_name: string; data_type: string }>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
    [name.schema, name.table],
  );
  const types = new Map(found.rows.map((r) => [r.column_name, r.data_type]));
  const wrong = Object.entries(COLUMNS)
    .filter(([column, type]) => types.get(column) !== type)
    .map(([column, type]) => `${column} ${type}${types.has(column) ? ` (found ${types.get(column)})` : ' (missing)'}`);
  if (wrong.length > 0)
    throw new TableMismatchError(
      `the existing table ${name.quoted} is not a tagflow history table: it needs ${wrong.join(', ')}`,
    );
  const key = await client.query(
    `SELECT 1 FROM pg_index i
      WHERE i.indrelid = $1::regclass AND i.indisunique
        AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
              WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)) = ARRAY['tag', 'ts']`,
    [name.quoted],
  );
  if (key.rowCount === 0)
    throw new TableMismatchError(
      `the existing table ${name.quoted} has no primary key or unique index on (tag, ts), which keeps rewrites from duplicating rows`,
    );
}

// TimescaleDB cannot be installed on the machines where this was written: this path is untested
// here (see docs/backend-postgres.md).
async function makeHypertable(client: PoolClient, name: TableName): Promise<boolean> {
  const extension = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
  if (extension.rowCount === 0) return false;
  const already = await client.query(
    'SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_schema = $1 AND hypertable_name = $2',
    [name.schema, name.table],
  );
  if (already.rowCount === 0) {
    // migrate_data: the table may already hold rows written before the extension was installed.
    await client.query("SELECT create_hypertable($1::regclass, 'ts', if_not_exists => TRUE, migrate_data => TRUE)", [
      name.quoted,
    ]);
  }
  return true;
}

function quoteIdent(name: string): string {
  return `"${name}"`;
}
