#pragma once
// Human-readable numbers for the summary, the plan and messages. Pure functions.

#include <cstdint>
#include <string>

namespace s3c::human {

/// 1536 -> "1.5 KiB"; 0 -> "0 B". Binary units, one decimal above bytes.
std::string Bytes(int64_t bytes);

/// 1234567 -> "1,234,567".
std::string Count(int64_t n);

/// 0.0042 -> "4 ms"; 3.21 -> "3.2 s"; 125 -> "2 min 5 s".
std::string Duration(double seconds);

/// before -> after with the relative change: "4,000 -> 8 (-99.8%)".
std::string Change(int64_t before, int64_t after, bool as_bytes);

}  // namespace s3c::human
