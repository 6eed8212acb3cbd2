-- The ledger on PostgreSQL: reference records and the append-only table of
-- entries. Mirrors migrations/sqlite/0001_ledger.sql, table for table and
-- column for column; the differences are PostgreSQL's own:
-- - Money is BIGINT: amount_minor in the entry's currency's minor units,
--   usd_cents in US cents. Dates are days since 1970-01-01 (INTEGER), instants
--   seconds since 1970-01-01T00:00:00Z (BIGINT).
-- - The reference tables carry `seq`, the order of storage that SQLite keeps
--   as rowid; the store reads records back in that order.
-- - entries.seq and imports.id are given by the store (the next number, taken
--   under the write lock), as SQLite's INTEGER PRIMARY KEY does, so that the
--   numbers have no gaps and are the same on both stores.
-- - The foreign keys of entries are DEFERRABLE: an import may settle or
--   reverse an entry that comes later in the same batch, and the store defers
--   them to the commit (SQLite: PRAGMA defer_foreign_keys).
-- - The append-only rules are PL/pgSQL trigger functions, and TRUNCATE is
--   refused too (SQLite has no TRUNCATE).
-- - reference_version stands in for SQLite's PRAGMA data_version (which
--   PostgreSQL lacks): it changes with every change to a reference table.

CREATE TABLE donors (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  country TEXT NOT NULL DEFAULT '',
  name_ar TEXT NOT NULL DEFAULT '',
  name_zh TEXT NOT NULL DEFAULT '',
  name_fr TEXT NOT NULL DEFAULT '',
  name_ru TEXT NOT NULL DEFAULT '',
  name_es TEXT NOT NULL DEFAULT ''
);

CREATE TABLE funds (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT NOT NULL CHECK (category IN ('core', 'earmarked', 'technical_cooperation'))
);

CREATE TABLE targets (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  fund TEXT NOT NULL REFERENCES funds(id),
  year_from INTEGER NOT NULL,
  year_to INTEGER NOT NULL,
  amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
  decided_on INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (fund, year_from, year_to, decided_on)
);

CREATE TABLE appeals (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  requirement_cents BIGINT NOT NULL,
  countries INTEGER NOT NULL DEFAULT 0,
  launched_on INTEGER NOT NULL
);

CREATE TABLE events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  held_on INTEGER NOT NULL
);

CREATE TABLE rates (
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  currency TEXT NOT NULL,
  month INTEGER NOT NULL,
  units_per_usd TEXT NOT NULL,
  PRIMARY KEY (currency, month)
);

-- One row per import or write batch, so every entry can be traced to it.
CREATE TABLE imports (
  id BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  source TEXT NOT NULL,
  added BIGINT NOT NULL,
  unchanged BIGINT NOT NULL
);

CREATE TABLE entries (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('pledge', 'receipt', 'expected', 'write_off', 'reversal')),
  donor TEXT NOT NULL REFERENCES donors(id) DEFERRABLE,
  fund TEXT NOT NULL REFERENCES funds(id) DEFERRABLE,
  currency TEXT NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  usd_cents BIGINT NOT NULL,
  value_date INTEGER NOT NULL,
  recorded_at BIGINT NOT NULL,
  attributed_year INTEGER NOT NULL,
  region TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '',
  programme TEXT NOT NULL DEFAULT '',
  appeal TEXT REFERENCES appeals(id) DEFERRABLE,
  channel TEXT NOT NULL DEFAULT '',
  event TEXT REFERENCES events(id) DEFERRABLE,
  settles TEXT REFERENCES entries(id) DEFERRABLE,
  reverses TEXT REFERENCES entries(id) DEFERRABLE,
  probability_ppm INTEGER CHECK (probability_ppm BETWEEN 0 AND 1000000),
  note TEXT NOT NULL DEFAULT '',
  import_id BIGINT REFERENCES imports(id) DEFERRABLE
);

CREATE INDEX entries_by_value_date ON entries (value_date);
-- What settles or reverses an entry: looked up on every write that names it.
CREATE INDEX entries_by_settles ON entries (settles) WHERE settles IS NOT NULL;
CREATE INDEX entries_by_reverses ON entries (reverses) WHERE reverses IS NOT NULL;

-- Nothing in the ledger is edited or deleted: a correction is a new entry.
-- The message is the trigger's argument, so one function serves every table.
CREATE FUNCTION rmis_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries FOR EACH ROW
  EXECUTE FUNCTION rmis_refuse_change('ledger entries are append-only: record a reversal');
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries FOR EACH ROW
  EXECUTE FUNCTION rmis_refuse_change('ledger entries are append-only: record a reversal');
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries FOR EACH STATEMENT
  EXECUTE FUNCTION rmis_refuse_change('ledger entries are append-only: record a reversal');
CREATE TRIGGER targets_no_update BEFORE UPDATE ON targets FOR EACH ROW
  EXECUTE FUNCTION rmis_refuse_change('targets are append-only: record a revision');
CREATE TRIGGER targets_no_delete BEFORE DELETE ON targets FOR EACH ROW
  EXECUTE FUNCTION rmis_refuse_change('targets are append-only: record a revision');
CREATE TRIGGER targets_no_truncate BEFORE TRUNCATE ON targets FOR EACH STATEMENT
  EXECUTE FUNCTION rmis_refuse_change('targets are append-only: record a revision');

-- A number that changes whenever a reference table changes, whoever changes
-- it (rmis, or a tool writing to the database), so that a store can keep the
-- reference records in memory and know when to read them again.
CREATE TABLE reference_version (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  version BIGINT NOT NULL
);
INSERT INTO reference_version (one, version) VALUES (1, 0);

CREATE FUNCTION rmis_reference_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE reference_version SET version = version + 1 WHERE one = 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER donors_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON donors
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_reference_changed();
CREATE TRIGGER funds_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON funds
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_reference_changed();
CREATE TRIGGER targets_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON targets
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_reference_changed();
CREATE TRIGGER appeals_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON appeals
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_reference_changed();
CREATE TRIGGER events_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_reference_changed();
CREATE TRIGGER rates_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rates
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_reference_changed();
