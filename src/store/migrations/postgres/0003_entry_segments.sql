-- Column segments (SQLite's migration 0003) are a cache of the SQLite store
-- only: PostgreSQL keeps the entries' columns in the server process's memory.
-- The migration is recorded so that both stores number their schemas alike.
SELECT 1;
