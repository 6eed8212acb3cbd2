// The last step of bench/engines/run.sh (issue 6, item 3): checks that every
// engine gave the figures rmis gave, to the cent, and prints the table of
// times and ratios.
//
//   node compare.mjs WORK_DIR
//
// Reads from WORK_DIR: rmis.json (`rmis report --format json`),
// figures-ENGINE.csv ("figure,key,cents" rows) for each engine run,
// times.tsv ("engine<TAB>measure<TAB>seconds" rows) and info.tsv
// ("name<TAB>value" rows: entries, year, as_of, bandwidth_gbs, ...).
// Exits 1, after printing every difference, when any engine differs from
// rmis; 0 otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const work = process.argv[2];
if (!work) {
  console.error('usage: node compare.mjs WORK_DIR');
  process.exit(2);
}

const readTsv = (name) =>
  readFileSync(join(work, name), 'utf8').split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
const info = Object.fromEntries(readTsv('info.tsv'));

// "1234.56" or "-0.05" (money::FormatUsdCents) to cents, exactly.
function cents(usd) {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(usd);
  if (!match) throw new Error(`not a USD amount: ${usd}`);
  const value = BigInt(match[2]) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -value : value;
}

// The figures rmis printed, under the keys the SQL gives them.
function rmisFigures(report) {
  const figures = new Map();
  for (const f of report.income_vs_target) {
    figures.set(`received ${f.fund}`, cents(f.received_usd));
    figures.set(`prior_year ${f.fund}`, cents(f.prior_year_usd));
  }
  for (const r of report.regions) figures.set(`region ${r.region}`, cents(r.received_usd));
  const c = report.concentration;
  if (c.top_n !== 10) throw new Error(`the report ranks ${c.top_n} donors, not 10`);
  figures.set('concentration top_10', cents(c.top_usd));
  figures.set('concentration total', cents(c.total_usd));
  figures.set('concentration donors', BigInt(c.donors));
  for (const f of report.forecast) figures.set(`pledged ${f.fund}`, cents(f.pledged_usd));
  return figures;
}

function sqlFigures(file) {
  const figures = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const [figure, key, value] = line.trim().split(',');
    const name = `${figure} ${key}`;
    if (figures.has(name)) throw new Error(`${file}: ${name} appears twice`);
    figures.set(name, BigInt(value));
  }
  return figures;
}

const engines = [
  ['sqlite', 'SQLite (sqlite3 shell)'],
  ['sqlite-index', 'SQLite, covering index'],
  ['postgres', 'PostgreSQL 15'],
  ['duckdb', 'DuckDB (@duckdb/node-api)'],
];
const reference = rmisFigures(JSON.parse(readFileSync(join(work, 'rmis.json'), 'utf8')));
let differences = 0;
const compared = [];
for (const [engine, title] of engines) {
  const file = join(work, `figures-${engine}.csv`);
  if (!existsSync(file)) continue;
  const figures = sqlFigures(file);
  const keys = [...new Set([...reference.keys(), ...figures.keys()])].sort();
  const wrong = keys.filter((key) => reference.get(key) !== figures.get(key));
  for (const key of wrong) {
    console.log(`DIFFERENT ${title}: ${key}: rmis ${reference.get(key) ?? 'missing'}, ${engine} ${figures.get(key) ?? 'missing'}`);
  }
  differences += wrong.length;
  compared.push(`${title}: ${wrong.length === 0 ? `identical (${keys.length} figures)` : `${wrong.length} differences`}`);
}
const sum = (prefix) => [...reference].filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0n);
const usd = (value) => `${value < 0n ? '-' : ''}${(value < 0n ? -value : value) / 100n}.${String((value < 0n ? -value : value) % 100n).padStart(2, '0')}`;
console.log(`\nYear ${info.year} as of ${info.as_of}; ${Number(info.entries).toLocaleString('en')} entries, ` +
            `${Number(info.donors).toLocaleString('en')} donors.`);
console.log(`Figures (rmis): received ${usd(sum('received '))} USD, of which prior-year ${usd(sum('prior_year '))}; ` +
            `open pledges ${usd(sum('pledged '))}; ${reference.get('concentration donors')} donors gave ` +
            `${usd(reference.get('concentration total'))}, the top 10 ${usd(reference.get('concentration top_10'))}.`);
for (const line of compared) console.log(`  ${line}`);

// --- Times. ------------------------------------------------------------------
// times.tsv: engine, measure, wall seconds, CPU seconds (may be empty).
const times = new Map();
for (const [engine, measure, wall, cpu] of readTsv('times.tsv')) {
  const key = `${engine} ${measure}`;
  if (!times.has(key)) times.set(key, { wall: [], cpu: [] });
  times.get(key).wall.push(Number(wall));
  if (cpu !== undefined && cpu !== '') times.get(key).cpu.push(Number(cpu));
}
const median = (values) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const time = (engine, measure, which = 'wall') => median(times.get(`${engine} ${measure}`)?.[which] ?? []);
const format = (seconds) => {
  if (seconds === null) return '';
  if (seconds >= 1) return `${seconds.toFixed(2)} s`;
  return `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : seconds < 0.1 ? 1 : 0)} ms`;
};
const ratio = (a, b) => {
  if (a === null || b === null || b === 0) return '';
  const r = a / b;
  return `${r >= 10 ? r.toFixed(0) : r >= 0.1 ? r.toFixed(1) : r.toFixed(3)}×`;
};
const runs = (engine, measure) => (times.get(`${engine} ${measure}`)?.wall ?? []).map(format).join(', ');

const rmisCold = time('rmis', 'cold');
const rmisWarm = time('rmis', 'warm');
const rmisWarmCpu = time('rmis', 'warm', 'cpu');
const bound = Number(info.entries) * 16 / (Number(info.bandwidth_gbs) * 1e9);
// The issue's figure for this machine, beside the measured one.
const issueBound = Number(info.entries) * 16 / 15e9;
console.log(`\nBandwidth bound: ${Number(info.entries).toLocaleString('en')} rows × 16 bytes at ` +
            `${info.bandwidth_gbs} GB/s (${info.bandwidth_source}) = ${format(bound)}; at issue 6's 15 GB/s, ${format(issueBound)}.`);
console.log(`rmis warm: ${info.warm_source}.`);
console.log(`rmis report peak memory: ${Math.round(Number(info.report_peak_kib) / 1024)} MiB; ` +
            `rmis import: ${info.import_load} s, peak ${Math.round(Number(info.import_load_peak_kib) / 1024)} MiB.`);
console.log(`Load average (1, 5, 15 min) at the start: ${info.load_start}; at the end: ${info.load_end}.\n`);
console.log('| engine | load | figures: wall (median) | CPU (median) | wall, each run | wall ÷ rmis warm | CPU ÷ rmis warm CPU | wall ÷ rmis cold |');
console.log('|---|---|---|---|---|---|---|---|');
const row = (title, engine, measure, load) => {
  const wall = time(engine, measure);
  const cpu = time(engine, measure, 'cpu');
  console.log(`| ${title} | ${format(load)} | ${format(wall)} | ${format(cpu)} | ${runs(engine, measure)} | ` +
              `${ratio(wall, rmisWarm)} | ${ratio(cpu, rmisWarmCpu)} | ${ratio(wall, rmisCold)} |`);
};
row('rmis, warm (store open)', 'rmis', 'warm', null);
row('rmis, cold (whole `rmis report` process)', 'rmis', 'cold', time('rmis', 'load'));
row('rmis, first report after the import', 'rmis', 'first', null);
row('rmis, open the store and first report (report_bench, in-process)', 'rmis', 'open', null);
for (const [engine, title] of engines) {
  if (time(engine, 'query') === null) continue;
  row(title, engine, 'query', time(engine, 'load'));
}
console.log(`| bandwidth bound, measured (${info.bandwidth_gbs} GB/s) | | ${format(bound)} | | | | | |`);
console.log(`| bandwidth bound, issue 6's 15 GB/s | | ${format(issueBound)} | | | | | |`);
console.log(`\nrmis warm ÷ bandwidth bound: ${ratio(rmisWarm, bound)} wall and ${ratio(rmisWarmCpu, bound)} CPU at the measured ` +
            `bandwidth, ${ratio(rmisWarm, issueBound)} and ${ratio(rmisWarmCpu, issueBound)} at 15 GB/s ` +
            `(the aim: within 3×); DuckDB ÷ rmis warm: ${ratio(time('duckdb', 'query'), rmisWarm)} wall, ` +
            `${ratio(time('duckdb', 'query', 'cpu'), rmisWarmCpu)} CPU (the aim: at least 5×).`);
console.log('"load": each engine loading the CSVs (rmis: `rmis import` of the dataset; SQLite, covering index: ' +
            'building the index). A figures time is the query alone on data already loaded; ' +
            'rmis cold is the whole `rmis report` process.');

if (differences > 0) {
  console.log(`\n${differences} figures differ from rmis's.`);
  process.exit(1);
}
console.log('\nAll engines gave identical figures to the cent.');
