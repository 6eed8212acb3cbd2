-- Column segments: sealed runs of entries held column by column
-- (ledger::EncodeSegment), so that a process opening a store of millions of
-- entries loads them without parsing every row. A segment holds the entries
-- with seq first_seq .. first_seq + rows - 1. It is derived data: the entries
-- table is the record, and a segment that does not decode is ignored and
-- written anew.
CREATE TABLE entry_segments (
  first_seq INTEGER PRIMARY KEY,
  rows INTEGER NOT NULL CHECK (rows > 0),
  data BLOB NOT NULL
) STRICT;
