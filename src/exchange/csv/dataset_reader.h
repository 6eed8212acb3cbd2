// Reads a dataset directory (docs/data-format.md) into a ledger::Dataset.
//
// This checks everything that can be checked row by row: the header, the
// shape of each field (dates, amounts, enumerations, identifiers) and the
// encoding. What needs the rest of the ledger (does the donor exist, is the
// pledge still open) is checked by ledger::PlanImport.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "ledger/dataset.h"

namespace rmis::exchange {

struct DatasetRead {
  ledger::Dataset dataset;
  std::vector<ledger::Problem> problems;
  int files = 0;  // how many of the known files were present
  bool has_entries = false;  // entries.csv is present
};

// Reads the files of `directory` that the format names. Files the format does
// not name are a problem (a misspelt "entry.csv" must not be ignored). With
// `read_entries` false, entries.csv is only noted (`has_entries`), to be
// streamed with EntryChunkReader: the other files are small.
DatasetRead ReadDatasetDirectory(const std::string& directory, bool read_entries = true);

// Reads an entries.csv in chunks of `chunk_rows` rows, on a thread of its
// own that stays at most two chunks ahead of the caller, so that parsing
// runs beside the caller's work and memory does not grow with the file
// (issue 6). Each row is read exactly as ReadDatasetDirectory reads it.
class EntryChunkReader {
 public:
  EntryChunkReader(std::string path, size_t chunk_rows);
  ~EntryChunkReader();  // stops the reading and waits for the thread
  EntryChunkReader(const EntryChunkReader&) = delete;
  EntryChunkReader& operator=(const EntryChunkReader&) = delete;

  // Replaces `entries` and `problems` with the next chunk's entries and the
  // problems found in its rows (the problems of the file as a whole come
  // with the last chunk). Returns false, leaving both empty, when every
  // chunk has been given.
  bool Next(std::vector<ledger::Located<ledger::Entry>>& entries, std::vector<ledger::Problem>& problems);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The file names a dataset may hold, in the order they are read.
const std::vector<std::string>& DatasetFileNames();

// Reads one file of a dataset from text (for uploads and tests); `file_name`
// chooses the schema ("entries.csv", ...).
void ReadDatasetFileText(const std::string& file_name, std::string_view text, DatasetRead& out);

// Reads one record given as (column, value) pairs, exactly as a row of
// `file_name` with those columns would be read: the same column checks (an
// unknown or missing column is a problem) and the same field rules. Used for
// records sent as JSON. Problems carry the field and no file or line.
void ReadDatasetRecord(const std::string& file_name,
                       const std::vector<std::pair<std::string, std::string>>& fields,
                       DatasetRead& out);

}  // namespace rmis::exchange
