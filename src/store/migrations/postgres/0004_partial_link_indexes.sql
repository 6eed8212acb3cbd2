-- SQLite's migration 0004 makes its indexes of `settles` and `reverses`
-- partial, as PostgreSQL's have been since 0001. The migration is recorded so
-- that both stores number their schemas alike.
SELECT 1;
