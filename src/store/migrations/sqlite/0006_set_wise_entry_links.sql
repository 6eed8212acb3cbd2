-- PostgreSQL's migration 0006 checks the links of entries once per statement
-- instead of by row-by-row foreign keys. SQLite keeps its foreign keys (its
-- import turns them off for its own transaction, having checked every link,
-- and `rmis check` runs foreign_key_check). The migration is recorded so that
-- both stores number their schemas alike.
SELECT 1;
