#pragma once
// FileInspector: reads one file's Parquet footer (one ranged read of its tail; no HEAD request,
// the size comes from the listing) and tells Parquet files from others.
//
//   Parquet                                  -> InputFile
//   not Parquet, with a name that does not   -> nullopt: reported and left untouched
//     claim to be Parquet (notes.txt, x.csv)
//   claims to be Parquet (.parquet/.parq/.pq,
//     or no extension, as Hive writes) but:
//       zero bytes / no PAR1 magic           -> Invalid "not a Parquet file (...)"
//       encrypted footer                     -> Invalid "encrypted Parquet file (not supported)"
//       unreadable footer or schema          -> Invalid "corrupt Parquet file ..."
// Every error names the file. Thread-safe (stateless).

#include <optional>

#include <arrow/result.h>
#include <arrow/io/type_fwd.h>
#include <parquet/metadata.h>
#include <parquet/properties.h>

#include "plan/input_file.h"
#include "storage/location.h"

namespace s3c {

class FileInspector {
 public:
  static arrow::Result<std::optional<InputFile>> Inspect(const Location& file,
                                                         const arrow::fs::FileInfo& info);

  /// The same, from a source already open (an object read whole at execution, for a file whose
  /// footer the planner deferred). `uri` names the file in messages. When `metadata` is given
  /// it receives the parsed footer, for opening the reader without parsing it again.
  static arrow::Result<std::optional<InputFile>> InspectSource(
      const std::string& uri, const arrow::fs::FileInfo& info,
      std::shared_ptr<arrow::io::RandomAccessFile> source,
      std::shared_ptr<parquet::FileMetaData>* metadata = nullptr);

  /// True for names a Parquet writer would give a data file.
  static bool ClaimsToBeParquet(std::string_view file_name);

  /// How every Parquet file is read, at planning and at execution alike, so both see the same
  /// Arrow schema. INT96 timestamps read as microseconds (see Int96Guard).
  static parquet::ArrowReaderProperties ArrowReadProperties();
};

}  // namespace s3c
