#pragma once
// PhysicalSchema: what must be equal between input files for their pages to be merged into one
// column chunk (issue 14's page merge): per leaf column, in order, its path, physical type,
// fixed length, repetition and maximum levels, and the logical and converted annotations that
// define what the stored values mean (a decimal's scale, a timestamp's unit). Two files with the
// same fingerprint store every value the same way, so a page of one is a valid page of the
// other's column; files that differ go through the row path, which unifies schemas.
//
// PagesRefused says why a file's pages cannot be merged whatever the others hold: encrypted
// columns. Bloom filters are not a reason: neither path carries them into its output (the row
// path's writer writes none either), as they would describe only one input's values.

#include <optional>
#include <string>

#include <parquet/metadata.h>

namespace s3c {

struct PhysicalSchema {
  /// One line per leaf column; equal strings mean pages are interchangeable.
  static std::string Fingerprint(const parquet::FileMetaData& metadata);

  /// True when every column chunk has an offset index (a file of no row groups has none to
  /// lack).
  static bool HasPageIndex(const parquet::FileMetaData& metadata);

  /// Why this file's pages cannot be merged, or nullopt.
  static std::optional<std::string> PagesRefused(const parquet::FileMetaData& metadata);
};

}  // namespace s3c
