#pragma once
// Shard: --shard K/N, one of N independent runs that together cover a table's selected
// partitions exactly once (Kubernetes Indexed Jobs, AWS Batch array jobs).
//
// A partition belongs to shard mix(FNV-1a(partition path)) mod N: a property of the partition alone,
// so every shard decides the same whatever it lists and whenever it lists it (a partition
// created between two shards' listings still has exactly one owner). K is 0-based, as
// JOB_COMPLETION_INDEX and AWS_BATCH_JOB_ARRAY_INDEX are.
//
// Shards of one N run side by side: each holds a lease of its own (lease-shard-K-of-N.json)
// and journals its own partitions. A run without --shard, or with another N, conflicts with
// them (see RunExclusion).

#include <optional>
#include <string>

#include <arrow/result.h>

namespace s3c {

struct Shard {
  int index = 0;
  int count = 1;

  /// Parses "K/N" with 0 <= K < N <= 100000.
  static arrow::Result<Shard> Parse(const std::string& text);

  bool Owns(const std::string& partition_path) const;
  std::string ToString() const;  // "K/N"
  /// The lease and journal scope: "shard-K-of-N".
  std::string Scope() const;
  /// Parses a Scope() back; nullopt for anything else.
  static std::optional<Shard> FromScope(const std::string& scope);
};

}  // namespace s3c
