-- The links of entries (donor, fund, appeal, event, settles, reverses,
-- import_id) are checked set-wise, once per statement, instead of by
-- foreign-key constraints, which check them one row at a time.
--
-- Why: a foreign key fires one query per row and key at commit. Importing a
-- million entries spent 30 s of 63 s in those checks (48 % of the server's
-- CPU), and the same rows, checked with one anti-join per link, take under
-- a second (docs/performance.md, "PostgreSQL at ten million entries").
--
-- What stays guaranteed, whoever writes (rmis or another tool):
-- - An entry names only a donor, fund, appeal, event, import and entries
--   that exist. Each statement that adds entries records the range of their
--   seq in entries_unchecked; a deferred constraint trigger checks that
--   range at commit (so a batch may still settle or reverse an entry that
--   comes later in it, as the DEFERRABLE keys allowed) and refuses the
--   commit with SQLSTATE 23503 (foreign_key_violation) and a message that
--   names the entry and the missing record. Before checking, it takes
--   FOR KEY SHARE on the records named, as a foreign key does, so that a
--   concurrent transaction cannot delete one that an entry now names.
-- - A donor, fund, appeal, event or import that an entry names cannot be
--   deleted, have its id changed or be truncated away: statement triggers on
--   those tables refuse it, as the keys' NO ACTION did.
-- Entries themselves are never updated or deleted (0001), so a link to an
-- entry cannot be broken afterwards.
--
-- Differences from the foreign keys, each on purpose:
-- - Taking a record away from under an entry is refused at once, not at
--   commit: deleting a donor and storing it again in one transaction is
--   refused even with SET CONSTRAINTS ALL DEFERRED.
-- - Deleting, renaming or truncating donors, funds, appeals, events or
--   imports must run at READ COMMITTED: at REPEATABLE READ the trigger could
--   not see an entry committed after the transaction's snapshot (a foreign
--   key reads past its snapshot for that; PL/pgSQL cannot), so it refuses
--   with serialization_failure rather than let a link break.
-- - The functions run as their owner (SECURITY DEFINER) with the store's
--   schema pinned as their search_path: a tool that may insert entries need
--   not be granted the bookkeeping table, and a tool whose search_path names
--   another schema checks this store's entries, not that schema's.
-- - `ALTER TABLE entries DISABLE TRIGGER USER` turns the checks off, as
--   it did not turn off foreign keys; `rmis check` still checks every link
--   (its "references" line).

ALTER TABLE entries
  DROP CONSTRAINT entries_donor_fkey,
  DROP CONSTRAINT entries_fund_fkey,
  DROP CONSTRAINT entries_appeal_fkey,
  DROP CONSTRAINT entries_event_fkey,
  DROP CONSTRAINT entries_settles_fkey,
  DROP CONSTRAINT entries_reverses_fkey,
  DROP CONSTRAINT entries_import_id_fkey;

-- The seq range of each statement's entries, until its links are checked at
-- commit. Empty outside a writing transaction.
CREATE TABLE entries_unchecked (
  first_seq BIGINT PRIMARY KEY,  -- seq is unique: so is the first of a statement's
  last_seq BIGINT NOT NULL
);

CREATE FUNCTION rmis_entries_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO entries_unchecked (first_seq, last_seq)
    SELECT min(seq), max(seq) FROM added HAVING count(*) > 0;
  RETURN NULL;
END
$$;

CREATE TRIGGER entries_added AFTER INSERT ON entries REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_entries_added();

-- The range is read once for the distinct donors, funds, appeals, events and
-- imports it names. Each of those is locked FOR KEY SHARE, and what was
-- locked is what exists: a record that the lock did not find (not yet
-- committed when the lock's statement began, or deleted) is missing, even if
-- a later statement would see it, so nothing counted as present is unlocked.
-- What an entry settles or reverses is looked up per entry that names one.
-- Queries over the range are run with EXECUTE, so that each is planned for
-- its own range (a cached generic plan could scan every entry for each
-- statement's range).
CREATE FUNCTION rmis_check_entry_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  named_donors TEXT[];
  named_funds TEXT[];
  named_appeals TEXT[];
  named_events TEXT[];
  named_imports TEXT[];
  named TEXT[];
  locked TEXT[];
  link TEXT[];
  entry_id TEXT;
  missing TEXT;
BEGIN
  EXECUTE 'SELECT array_agg(DISTINCT e.donor), array_agg(DISTINCT e.fund),'
          ' array_agg(DISTINCT e.appeal) FILTER (WHERE e.appeal IS NOT NULL),'
          ' array_agg(DISTINCT e.event) FILTER (WHERE e.event IS NOT NULL),'
          ' array_agg(DISTINCT e.import_id::text) FILTER (WHERE e.import_id IS NOT NULL)'
          ' FROM entries e WHERE e.seq BETWEEN $1 AND $2'
    INTO named_donors, named_funds, named_appeals, named_events, named_imports
    USING NEW.first_seq, NEW.last_seq;
  -- link: the column of entries, the table it names, the word for a message,
  -- and the type of that table's id.
  FOREACH link SLICE 1 IN ARRAY ARRAY[
      ['donor', 'donors', 'donor', 'text'], ['fund', 'funds', 'fund', 'text'],
      ['appeal', 'appeals', 'appeal', 'text'], ['event', 'events', 'event', 'text'],
      ['import_id', 'imports', 'import', 'bigint'],
      ['settles', 'entries', 'entry', 'text'], ['reverses', 'entries', 'entry', 'text']] LOOP
    IF link[2] = 'entries' THEN
      EXECUTE format(
        'SELECT e.id, e.%1$I FROM entries e WHERE e.seq BETWEEN $1 AND $2 AND e.%1$I IS NOT NULL '
        'AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.id = e.%1$I) LIMIT 1', link[1])
        INTO entry_id, missing USING NEW.first_seq, NEW.last_seq;
    ELSE
      named := CASE link[1] WHEN 'donor' THEN named_donors WHEN 'fund' THEN named_funds
                            WHEN 'appeal' THEN named_appeals WHEN 'event' THEN named_events
                            ELSE named_imports END;
      CONTINUE WHEN named IS NULL;
      -- The ids are compared in the table's own type, so that its primary
      -- key's index is used.
      EXECUTE format(
        'SELECT array_agg(k.id::text) FROM (SELECT r.id FROM %I r WHERE r.id = ANY ($1::%s[]) '
        'FOR KEY SHARE OF r) k', link[2], link[4])
        INTO locked USING named;
      SELECT n INTO missing FROM unnest(named) n WHERE n <> ALL (coalesce(locked, '{}')) LIMIT 1;
      IF missing IS NOT NULL THEN
        EXECUTE format(
          'SELECT e.id FROM entries e WHERE e.seq BETWEEN $1 AND $2 AND e.%I::text = $3 '
          'ORDER BY e.seq LIMIT 1', link[1])
          INTO entry_id USING NEW.first_seq, NEW.last_seq, missing;
      END IF;
    END IF;
    IF entry_id IS NOT NULL THEN
      RAISE EXCEPTION 'entry % names % %, which is not stored: it violates the foreign key of entries.%',
        entry_id, link[3], missing, link[1]
        USING ERRCODE = 'foreign_key_violation';
    END IF;
  END LOOP;
  DELETE FROM entries_unchecked WHERE first_seq = NEW.first_seq;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER entries_links AFTER INSERT ON entries_unchecked
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rmis_check_entry_links();

-- The referenced side: TG_ARGV[0] is the column of entries that names a row
-- of this table by its id. An UPDATE that keeps the id changes nothing here.
CREATE FUNCTION rmis_refuse_unlinking() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  entry_id TEXT;
  named_id TEXT;  -- the id an entry names
  gone_id TEXT;   -- a row this statement took away
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    EXECUTE format('SELECT e.id, e.%1$I::text FROM entries e WHERE e.%1$I IS NOT NULL LIMIT 1', TG_ARGV[0])
      INTO entry_id, named_id;
    -- Even if nothing names a row now: at REPEATABLE READ "now" is the
    -- snapshot's, so that is refused below if the table had rows.
    EXECUTE format('SELECT r.id::text FROM %I r LIMIT 1', TG_TABLE_NAME) INTO gone_id;
  ELSE
    EXECUTE format('SELECT g.id::text FROM gone g WHERE NOT EXISTS (SELECT 1 FROM %I r WHERE r.id = g.id) LIMIT 1',
                   TG_TABLE_NAME)
      INTO gone_id;
    IF gone_id IS NOT NULL THEN
      EXECUTE format(
        'SELECT e.id, e.%1$I::text FROM entries e WHERE e.%1$I IN '
        '(SELECT g.id FROM gone g WHERE NOT EXISTS (SELECT 1 FROM %2$I r WHERE r.id = g.id)) LIMIT 1',
        TG_ARGV[0], TG_TABLE_NAME)
        INTO entry_id, named_id;
    END IF;
  END IF;
  IF entry_id IS NOT NULL THEN
    RAISE EXCEPTION '% % is named by entry %: it violates the foreign key of entries.%',
      TG_TABLE_NAME, named_id, entry_id, TG_ARGV[0]
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF gone_id IS NOT NULL AND current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'deleting, renaming or truncating % needs READ COMMITTED: at % an entry committed after this transaction began could not be seen',
      TG_TABLE_NAME, current_setting('transaction_isolation')
      USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN NULL;
END
$$;

-- Each runs as its owner, with this store's schema (and pg_temp last) as its
-- search_path, whoever writes and whatever their search_path says.
DO $$
DECLARE
  f TEXT;
BEGIN
  FOREACH f IN ARRAY ARRAY['rmis_entries_added()', 'rmis_check_entry_links()', 'rmis_refuse_unlinking()'] LOOP
    EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = %I, pg_temp', f, current_schema());
  END LOOP;
END
$$;

CREATE TRIGGER donors_unlink_update AFTER UPDATE ON donors REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('donor');
CREATE TRIGGER donors_unlink_delete AFTER DELETE ON donors REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('donor');
CREATE TRIGGER donors_unlink_truncate BEFORE TRUNCATE ON donors
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('donor');
CREATE TRIGGER funds_unlink_update AFTER UPDATE ON funds REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('fund');
CREATE TRIGGER funds_unlink_delete AFTER DELETE ON funds REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('fund');
CREATE TRIGGER funds_unlink_truncate BEFORE TRUNCATE ON funds
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('fund');
CREATE TRIGGER appeals_unlink_update AFTER UPDATE ON appeals REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('appeal');
CREATE TRIGGER appeals_unlink_delete AFTER DELETE ON appeals REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('appeal');
CREATE TRIGGER appeals_unlink_truncate BEFORE TRUNCATE ON appeals
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('appeal');
CREATE TRIGGER events_unlink_update AFTER UPDATE ON events REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('event');
CREATE TRIGGER events_unlink_delete AFTER DELETE ON events REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('event');
CREATE TRIGGER events_unlink_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('event');
CREATE TRIGGER imports_unlink_update AFTER UPDATE ON imports REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('import_id');
CREATE TRIGGER imports_unlink_delete AFTER DELETE ON imports REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('import_id');
CREATE TRIGGER imports_unlink_truncate BEFORE TRUNCATE ON imports
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking('import_id');
