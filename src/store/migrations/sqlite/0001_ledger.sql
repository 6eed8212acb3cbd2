-- The ledger: reference records and the append-only table of entries.
-- Money is stored as integers: amount_minor in the entry's currency's minor
-- units, usd_cents in US cents. Dates are days since 1970-01-01, instants
-- seconds since 1970-01-01T00:00:00Z.

CREATE TABLE donors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  country TEXT NOT NULL DEFAULT '',
  name_ar TEXT NOT NULL DEFAULT '',
  name_zh TEXT NOT NULL DEFAULT '',
  name_fr TEXT NOT NULL DEFAULT '',
  name_ru TEXT NOT NULL DEFAULT '',
  name_es TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE funds (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT NOT NULL CHECK (category IN ('core', 'earmarked', 'technical_cooperation'))
) STRICT;

CREATE TABLE targets (
  fund TEXT NOT NULL REFERENCES funds(id),
  year_from INTEGER NOT NULL,
  year_to INTEGER NOT NULL,
  amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
  decided_on INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (fund, year_from, year_to, decided_on)
) STRICT;

CREATE TABLE appeals (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  requirement_cents INTEGER NOT NULL,
  countries INTEGER NOT NULL DEFAULT 0,
  launched_on INTEGER NOT NULL
) STRICT;

CREATE TABLE events (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  held_on INTEGER NOT NULL
) STRICT;

CREATE TABLE rates (
  currency TEXT NOT NULL,
  month INTEGER NOT NULL,
  units_per_usd TEXT NOT NULL,
  PRIMARY KEY (currency, month)
) STRICT;

CREATE TABLE entries (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('pledge', 'receipt', 'expected', 'write_off', 'reversal')),
  donor TEXT NOT NULL REFERENCES donors(id),
  fund TEXT NOT NULL REFERENCES funds(id),
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  usd_cents INTEGER NOT NULL,
  value_date INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  attributed_year INTEGER NOT NULL,
  region TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '',
  programme TEXT NOT NULL DEFAULT '',
  appeal TEXT REFERENCES appeals(id),
  channel TEXT NOT NULL DEFAULT '',
  event TEXT REFERENCES events(id),
  settles TEXT REFERENCES entries(id),
  reverses TEXT REFERENCES entries(id),
  probability_ppm INTEGER CHECK (probability_ppm BETWEEN 0 AND 1000000),
  note TEXT NOT NULL DEFAULT '',
  import_id INTEGER REFERENCES imports(id)
) STRICT;

CREATE INDEX entries_by_value_date ON entries (value_date);
-- What settles or reverses an entry: looked up on every write that names it,
-- and by SQLite's own foreign-key checks on every insert (which cannot use a
-- partial index, so these must be full ones).
CREATE INDEX entries_by_settles ON entries (settles);
CREATE INDEX entries_by_reverses ON entries (reverses);

-- One row per import or write batch, so every entry can be traced to it.
CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  source TEXT NOT NULL,
  added INTEGER NOT NULL,
  unchanged INTEGER NOT NULL
) STRICT;

-- Nothing in the ledger is edited or deleted: a correction is a new entry.
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: record a reversal'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: record a reversal'); END;
CREATE TRIGGER targets_no_update BEFORE UPDATE ON targets
BEGIN SELECT RAISE(ABORT, 'targets are append-only: record a revision'); END;
CREATE TRIGGER targets_no_delete BEFORE DELETE ON targets
BEGIN SELECT RAISE(ABORT, 'targets are append-only: record a revision'); END;
