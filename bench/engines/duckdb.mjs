// DuckDB's side of bench/engines/run.sh (issue 6, item 3): loads the
// exported entries and funds.csv into an in-memory DuckDB, then runs the
// figures query (figures.sql, placeholders already filled in) several times.
//
//   node duckdb.mjs ENTRIES_CSV FUNDS_CSV QUERY_SQL RUNS FIGURES_OUT
//
// Writes the figures ("figure,key,cents", from the last run) to FIGURES_OUT
// and prints one line per measure on stdout: "load WALL CPU", then
// "query WALL CPU" per run, in seconds (CPU: this process's user + system
// time, every DuckDB thread included).
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

const [entriesCsv, fundsCsv, queryFile, runsText, figuresOut] = process.argv.slice(2);
if (!figuresOut) {
  console.error('usage: node duckdb.mjs ENTRIES_CSV FUNDS_CSV QUERY_SQL RUNS FIGURES_OUT');
  process.exit(2);
}
const quote = (text) => `'${text.replaceAll("'", "''")}'`;

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();

// The same column types as the SQLite and PostgreSQL tables.
const columns = {
  seq: 'BIGINT', id: 'VARCHAR', kind: 'VARCHAR', donor: 'VARCHAR', fund: 'VARCHAR', currency: 'VARCHAR',
  amount_minor: 'BIGINT', usd_cents: 'BIGINT', value_day: 'INTEGER', recorded_at: 'BIGINT',
  attributed_year: 'INTEGER', region: 'VARCHAR', country: 'VARCHAR', programme: 'VARCHAR', appeal: 'VARCHAR',
  channel: 'VARCHAR', event: 'VARCHAR', settles: 'BIGINT', reverses: 'BIGINT', probability_ppm: 'INTEGER',
};
const columnList = Object.entries(columns).map(([name, type]) => `'${name}': '${type}'`).join(', ');
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const measure = (start, startCpu) =>
  `${((performance.now() - start) / 1000).toFixed(4)} ${(cpuSeconds() - startCpu).toFixed(4)}`;
let start = performance.now();
let startCpu = cpuSeconds();
await connection.run(
  `CREATE TABLE entries AS SELECT * FROM read_csv(${quote(entriesCsv)}, header = true, columns = {${columnList}})`);
await connection.run(
  `CREATE TABLE funds AS SELECT * FROM read_csv(${quote(fundsCsv)}, header = true, all_varchar = true)`);
console.log(`load ${measure(start, startCpu)}`);

const query = readFileSync(queryFile, 'utf8');
let rows = [];
for (let run = 0; run < Number(runsText); ++run) {
  start = performance.now();
  startCpu = cpuSeconds();
  const reader = await connection.runAndReadAll(query);
  rows = reader.getRows();
  console.log(`query ${measure(start, startCpu)}`);
}
writeFileSync(figuresOut, rows.map((row) => row.map(String).join(',')).join('\n') + '\n');
connection.closeSync();
