#pragma once
// Int96Guard: keeps legacy INT96 timestamps exact.
//
// Arrow reads INT96 as nanoseconds by default, and nanoseconds since 1970 in 64 bits only reach
// 1677-2262: the sentinels warehouses use (9999-12-31, 0001-01-01) silently come back as dates
// in 1816 and 1754. So INT96 is read as microseconds (FileInspector::ArrowReadProperties), which
// holds every date and is the precision Spark and Glue write. That is exact only when no value
// carries sub-microsecond digits (Impala and Hive can write them): this guard scans a file's raw
// INT96 values and refuses the file when one does, rather than drop the digits. Stateless.

#include <string>

#include <arrow/status.h>
#include <parquet/file_reader.h>

namespace s3c {

class Int96Guard {
 public:
  /// OK iff every INT96 value of the file is a whole number of microseconds. Otherwise Invalid
  /// naming the file and the column.
  static arrow::Status CheckMicrosecondExact(parquet::ParquetFileReader& file,
                                             const std::string& uri);
};

}  // namespace s3c
