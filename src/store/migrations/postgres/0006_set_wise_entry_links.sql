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
  first_seq BIGINT NOT NULL,
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
-- imports it names; each of those is then locked and looked up once, not
-- once per entry. What an entry settles or reverses is looked up per entry
-- that names one. Queries over the range are run with EXECUTE, so that each
-- is planned for its own range (a cached generic plan could scan every
-- entry for each statement's range).
CREATE FUNCTION rmis_check_entry_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  named_donors TEXT[];
  named_funds TEXT[];
  named_appeals TEXT[];
  named_events TEXT[];
  named_imports TEXT[];
  named TEXT[];
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
  FOREACH link SLICE 1 IN ARRAY ARRAY[
      ['donor', 'donors', 'donor'], ['fund', 'funds', 'fund'], ['appeal', 'appeals', 'appeal'],
      ['event', 'events', 'event'], ['import_id', 'imports', 'import'],
      ['settles', 'entries', 'entry'], ['reverses', 'entries', 'entry']] LOOP
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
      EXECUTE format('SELECT 1 FROM %I r WHERE r.id::text = ANY ($1) FOR KEY SHARE OF r', link[2])
        USING named;
      EXECUTE format(
        'SELECT n FROM unnest($1) n WHERE NOT EXISTS (SELECT 1 FROM %I r WHERE r.id::text = n) LIMIT 1',
        link[2])
        INTO missing USING named;
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
  DELETE FROM entries_unchecked WHERE first_seq = NEW.first_seq AND last_seq = NEW.last_seq;
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
  gone_id TEXT;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    EXECUTE format('SELECT e.id, e.%I::text FROM entries e WHERE e.%I IS NOT NULL LIMIT 1', TG_ARGV[0], TG_ARGV[0])
      INTO entry_id, gone_id;
  ELSE
    EXECUTE format(
      'SELECT e.id, e.%I::text FROM entries e WHERE e.%I IN '
      '(SELECT g.id FROM gone g WHERE NOT EXISTS (SELECT 1 FROM %I r WHERE r.id = g.id)) LIMIT 1',
      TG_ARGV[0], TG_ARGV[0], TG_TABLE_NAME)
      INTO entry_id, gone_id;
  END IF;
  IF entry_id IS NOT NULL THEN
    RAISE EXCEPTION '% % is named by entry %: it violates the foreign key of entries.%',
      TG_TABLE_NAME, gone_id, entry_id, TG_ARGV[0]
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
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
