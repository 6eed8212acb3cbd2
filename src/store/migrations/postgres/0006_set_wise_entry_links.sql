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
--   that exist. At the end of each statement that adds entries, a statement
--   trigger checks them set-wise (rmis_missing_link). It takes FOR KEY SHARE
--   on the records named, as a foreign key does, so that a concurrent
--   transaction cannot delete one before this one commits. If something is
--   missing, the statement's range of seq goes into entries_unchecked, whose
--   constraint trigger checks it again: at once, failing the statement, or,
--   when deferred (SET CONSTRAINTS, as rmis does), at commit, so that a batch
--   may settle or reverse an entry that a later statement stores, as the
--   DEFERRABLE keys allowed. It refuses with SQLSTATE 23503
--   (foreign_key_violation) and a message that names the entry and the
--   missing record.
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

-- The seq range of a statement's entries whose links were not all there at
-- the end of the statement, until they are checked again at commit. Empty
-- outside a writing transaction, and nearly always inside one.
CREATE TABLE entries_unchecked (
  first_seq BIGINT PRIMARY KEY,  -- seq is unique: so is the first of a statement's
  last_seq BIGINT NOT NULL
);

-- The first link of the entries numbered first_seq .. last_seq whose record
-- is not stored: the entry, the column, what it names, and the id (all NULL
-- when every link holds). The range is read once for the distinct donors,
-- funds, appeals, events and imports it names. Each of those is locked FOR
-- KEY SHARE, and what was locked is what exists: a record that the lock did
-- not find (not yet committed when the lock's statement began, or deleted)
-- is missing, even if a later statement would see it, so nothing counted as
-- present is unlocked. What an entry settles or reverses is looked up per
-- entry that names one. The queries are static, so PL/pgSQL keeps their
-- plans, and few: a statement of many entries pays for six (the range,
-- donors, funds, appeals or events if named, imports, settles and reverses),
-- one of a single entry for a lookup per link.
-- Their plans are generic (plan_cache_mode, set below): PostgreSQL otherwise
-- kept planning them anew for each call, as the plans for one entry looked
-- cheaper than a generic one, and that was two thirds of the function's
-- 0.29 ms a call (0.10 ms with generic plans). A generic plan reads the range
-- by the primary key and probes each index, which is right for one entry
-- and for an import's 48,000.
CREATE FUNCTION rmis_missing_link(first_seq BIGINT, last_seq BIGINT, OUT entry_id TEXT, OUT link TEXT,
                                  OUT word TEXT, OUT missing TEXT) LANGUAGE plpgsql AS $$
DECLARE
  named_donors TEXT[];
  named_funds TEXT[];
  named_appeals TEXT[];
  named_events TEXT[];
  named_imports BIGINT[];
  named TEXT[];
  locked TEXT[];
  locked_imports BIGINT[];
  one entries%ROWTYPE;
BEGIN
  IF first_seq = last_seq THEN
    -- One entry (a receipt posted through the API): a lookup per link, as a
    -- foreign key makes, without the sets.
    SELECT * INTO one FROM entries e WHERE e.seq = first_seq;
    IF NOT FOUND THEN
      RETURN;
    END IF;
    PERFORM 1 FROM donors r WHERE r.id = one.donor FOR KEY SHARE OF r;
    IF NOT FOUND THEN link := 'donor'; word := 'donor'; missing := one.donor; END IF;
    IF link IS NULL THEN
      PERFORM 1 FROM funds r WHERE r.id = one.fund FOR KEY SHARE OF r;
      IF NOT FOUND THEN link := 'fund'; word := 'fund'; missing := one.fund; END IF;
    END IF;
    IF link IS NULL AND one.appeal IS NOT NULL THEN
      PERFORM 1 FROM appeals r WHERE r.id = one.appeal FOR KEY SHARE OF r;
      IF NOT FOUND THEN link := 'appeal'; word := 'appeal'; missing := one.appeal; END IF;
    END IF;
    IF link IS NULL AND one.event IS NOT NULL THEN
      PERFORM 1 FROM events r WHERE r.id = one.event FOR KEY SHARE OF r;
      IF NOT FOUND THEN link := 'event'; word := 'event'; missing := one.event; END IF;
    END IF;
    IF link IS NULL AND one.import_id IS NOT NULL THEN
      PERFORM 1 FROM imports r WHERE r.id = one.import_id FOR KEY SHARE OF r;
      IF NOT FOUND THEN link := 'import_id'; word := 'import'; missing := one.import_id::text; END IF;
    END IF;
    IF link IS NULL AND one.settles IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.id = one.settles) THEN
      link := 'settles'; word := 'entry'; missing := one.settles;
    END IF;
    IF link IS NULL AND one.reverses IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.id = one.reverses) THEN
      link := 'reverses'; word := 'entry'; missing := one.reverses;
    END IF;
    IF link IS NOT NULL THEN
      entry_id := one.id;
    END IF;
    RETURN;
  END IF;
  SELECT array_agg(DISTINCT e.donor), array_agg(DISTINCT e.fund),
         array_agg(DISTINCT e.appeal) FILTER (WHERE e.appeal IS NOT NULL),
         array_agg(DISTINCT e.event) FILTER (WHERE e.event IS NOT NULL),
         array_agg(DISTINCT e.import_id) FILTER (WHERE e.import_id IS NOT NULL)
    INTO named_donors, named_funds, named_appeals, named_events, named_imports
    FROM entries e WHERE e.seq BETWEEN first_seq AND last_seq;

  -- Each kind: lock what is named and count what the lock found; only if
  -- that is fewer than the distinct ids named, find the one missing.
  FOREACH link IN ARRAY ARRAY['donor', 'fund', 'appeal', 'event'] LOOP
    named := CASE link WHEN 'donor' THEN named_donors WHEN 'fund' THEN named_funds
                       WHEN 'appeal' THEN named_appeals ELSE named_events END;
    CONTINUE WHEN named IS NULL;
    CASE link
      WHEN 'donor' THEN
        SELECT array_agg(k.id) INTO locked FROM (SELECT r.id FROM donors r WHERE r.id = ANY (named) FOR KEY SHARE OF r) k;
      WHEN 'fund' THEN
        SELECT array_agg(k.id) INTO locked FROM (SELECT r.id FROM funds r WHERE r.id = ANY (named) FOR KEY SHARE OF r) k;
      WHEN 'appeal' THEN
        SELECT array_agg(k.id) INTO locked FROM (SELECT r.id FROM appeals r WHERE r.id = ANY (named) FOR KEY SHARE OF r) k;
      ELSE
        SELECT array_agg(k.id) INTO locked FROM (SELECT r.id FROM events r WHERE r.id = ANY (named) FOR KEY SHARE OF r) k;
    END CASE;
    IF coalesce(cardinality(locked), 0) < cardinality(named) THEN
      SELECT n INTO missing FROM unnest(named) n WHERE n <> ALL (coalesce(locked, '{}')) LIMIT 1;
      word := link;
      EXIT;
    END IF;
  END LOOP;
  link := word;

  IF link IS NULL AND named_imports IS NOT NULL THEN
    SELECT array_agg(k.id) INTO locked_imports
      FROM (SELECT r.id FROM imports r WHERE r.id = ANY (named_imports) FOR KEY SHARE OF r) k;
    IF coalesce(cardinality(locked_imports), 0) < cardinality(named_imports) THEN
      SELECT n::text INTO missing FROM unnest(named_imports) n
        WHERE n <> ALL (coalesce(locked_imports, '{}')) LIMIT 1;
      link := 'import_id';
      word := 'import';
    END IF;
  END IF;

  IF link IS NOT NULL THEN
    EXECUTE format('SELECT e.id FROM entries e WHERE e.seq BETWEEN $1 AND $2 AND e.%I::text = $3 '
                   'ORDER BY e.seq LIMIT 1', link)
      INTO entry_id USING first_seq, last_seq, missing;
    RETURN;
  END IF;
  -- What the entries settle and reverse, in one pass (an index probe each),
  -- which also says which of the two is missing.
  SELECT e.id,
         CASE WHEN e.settles IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.id = e.settles)
              THEN 'settles' ELSE 'reverses' END,
         CASE WHEN e.settles IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.id = e.settles)
              THEN e.settles ELSE e.reverses END
    INTO entry_id, link, missing FROM entries e
    WHERE e.seq BETWEEN first_seq AND last_seq
      AND ((e.settles IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.id = e.settles))
        OR (e.reverses IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.id = e.reverses)))
    ORDER BY e.seq LIMIT 1;
  IF entry_id IS NOT NULL THEN
    word := 'entry';
  END IF;
END
$$;

CREATE FUNCTION rmis_entries_added() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  lo BIGINT;
  hi BIGINT;
BEGIN
  SELECT min(seq), max(seq) INTO lo, hi FROM added;
  IF lo IS NOT NULL AND (SELECT m.entry_id FROM rmis_missing_link(lo, hi) m) IS NOT NULL THEN
    INSERT INTO entries_unchecked (first_seq, last_seq) VALUES (lo, hi);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER entries_added AFTER INSERT ON entries REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION rmis_entries_added();

CREATE FUNCTION rmis_check_entry_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  m RECORD;
BEGIN
  SELECT * INTO m FROM rmis_missing_link(NEW.first_seq, NEW.last_seq);
  IF m.entry_id IS NOT NULL THEN
    RAISE EXCEPTION 'entry % names % %, which is not stored: it violates the foreign key of entries.%',
      m.entry_id, m.word, m.missing, m.link
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  DELETE FROM entries_unchecked WHERE entries_unchecked.first_seq = NEW.first_seq;
  RETURN NULL;
END
$$;

-- Immediate unless deferred, as the foreign keys were: a plain writer's bad
-- row fails its own statement; rmis defers (SET CONSTRAINTS ALL DEFERRED),
-- so that a batch may settle an entry a later statement stores.
CREATE CONSTRAINT TRIGGER entries_links AFTER INSERT ON entries_unchecked
  DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION rmis_check_entry_links();

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
    -- snapshot's, which may not show rows and entries committed since, so a
    -- TRUNCATE there is refused below whatever the snapshot shows.
    gone_id := '';
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
  FOREACH f IN ARRAY ARRAY['rmis_missing_link(bigint, bigint)', 'rmis_entries_added()', 'rmis_check_entry_links()',
                           'rmis_refuse_unlinking()'] LOOP
    EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = %I, pg_temp', f, current_schema());
  END LOOP;
  ALTER FUNCTION rmis_missing_link(bigint, bigint) SET plan_cache_mode = force_generic_plan;
  -- It locks as its owner: only the triggers (which run as the owner) call it.
  REVOKE EXECUTE ON FUNCTION rmis_missing_link(bigint, bigint) FROM PUBLIC;
END
$$;

-- On each table an entry names, three triggers: a statement's UPDATE or
-- DELETE (with the rows it changed as `gone`), and TRUNCATE before it runs.
DO $$
DECLARE
  t TEXT[];  -- the table, and the column of entries that names its rows
BEGIN
  FOREACH t SLICE 1 IN ARRAY ARRAY[['donors', 'donor'], ['funds', 'fund'], ['appeals', 'appeal'],
                                   ['events', 'event'], ['imports', 'import_id']] LOOP
    EXECUTE format('CREATE TRIGGER %1$I AFTER UPDATE ON %2$I REFERENCING OLD TABLE AS gone'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking(%3$L)',
                   t[1] || '_unlink_update', t[1], t[2]);
    EXECUTE format('CREATE TRIGGER %1$I AFTER DELETE ON %2$I REFERENCING OLD TABLE AS gone'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking(%3$L)',
                   t[1] || '_unlink_delete', t[1], t[2]);
    EXECUTE format('CREATE TRIGGER %1$I BEFORE TRUNCATE ON %2$I'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION rmis_refuse_unlinking(%3$L)',
                   t[1] || '_unlink_truncate', t[1], t[2]);
  END LOOP;
END
$$;
