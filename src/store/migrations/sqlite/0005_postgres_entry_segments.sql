-- PostgreSQL's migration 0005 gives it the column segments SQLite has had
-- since 0003. The migration is recorded so that both stores number their
-- schemas alike.
SELECT 1;
