/**
 * Lab 04 — reference solution: the orders table.
 */
export function schemaStatements(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS orders (
      source_key  text          NOT NULL,
      row_number  integer       NOT NULL,
      order_id    text          NOT NULL,
      customer    text          NOT NULL,
      amount      numeric(12,2) NOT NULL,
      comment     text          NOT NULL DEFAULT '',
      loaded_at   timestamptz   NOT NULL DEFAULT now(),
      -- One row per data row of each file: loading the same file again adds nothing.
      PRIMARY KEY (source_key, row_number)
    )`,
  ];
}
