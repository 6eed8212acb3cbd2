-- Column segments on PostgreSQL too (SQLite's migration 0003): sealed runs of
-- entries held column by column (ledger::EncodeSegment), so that a server
-- process that starts on a store of millions of entries loads them without
-- reading every row (at ten million entries, paging the rows took 40 s). A
-- segment holds the entries with seq first_seq .. first_seq + rows - 1. It is
-- derived data: the entries table is the record, and a segment that does not
-- decode is ignored and written anew. The bytes are stored out of line and
-- uncompressed: they are compact already, and a load reads them whole.
CREATE TABLE entry_segments (
  first_seq BIGINT PRIMARY KEY,
  rows INTEGER NOT NULL CHECK (rows > 0),
  data BYTEA NOT NULL
);
ALTER TABLE entry_segments ALTER COLUMN data SET STORAGE EXTERNAL;
