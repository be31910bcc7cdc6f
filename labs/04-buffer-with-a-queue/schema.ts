/**
 * Lab 04 — your schema: the SQL statements that create the orders table
 * (README "The table"). The Data API runs one statement per call, so return
 * one string per statement.
 *
 * Columns (names and types as in the README): source_key, row_number,
 * order_id, customer, amount, comment, loaded_at.
 *
 * S3 and SQS deliver at least once: the same file can be loaded twice. Give
 * the table the uniqueness that makes a second load of a file add nothing —
 * one row per data row of each file — so the handler can insert with
 * ON CONFLICT … DO NOTHING. (An order id is NOT unique across files here.)
 *
 * PostgreSQL: https://www.postgresql.org/docs/current/ddl-constraints.html
 */
export function schemaStatements(): string[] {
  // TODO: CREATE TABLE orders (…) with the uniqueness described above.
  return [];
}
