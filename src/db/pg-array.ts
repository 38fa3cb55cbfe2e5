/**
 * A PostgreSQL array literal for one `?::type[]` placeholder. Needed because knex expands a JS array
 * binding into a list of values. Elements are quoted and escaped; null becomes NULL.
 * Example: `pgArray(['a', null, 'b"c'])` → `{"a",NULL,"b\"c"}`.
 */
export function pgArray(values: readonly (string | number | boolean | null)[]): string {
  return `{${values
    .map((v) => (v === null ? 'NULL' : `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`))
    .join(',')}}`;
}
