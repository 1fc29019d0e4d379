#pragma once
// GoogleTest helpers for arrow::Status / arrow::Result (Arrow's own live in libarrow_testing,
// which the pyarrow wheel does not ship).

#include <gtest/gtest.h>

#include <arrow/result.h>
#include <arrow/status.h>

#define S3C_CONCAT_INNER(a, b) a##b
#define S3C_CONCAT(a, b) S3C_CONCAT_INNER(a, b)

#define ASSERT_OK(expr)                                      \
  do {                                                       \
    ::arrow::Status _st = ::arrow::ToStatus(expr);           \
    ASSERT_TRUE(_st.ok()) << #expr << ": " << _st.ToString(); \
  } while (false)

#define EXPECT_OK(expr)                                      \
  do {                                                       \
    ::arrow::Status _st = ::arrow::ToStatus(expr);           \
    EXPECT_TRUE(_st.ok()) << #expr << ": " << _st.ToString(); \
  } while (false)

#define S3C_ASSERT_OK_AND_ASSIGN_IMPL(result, lhs, rexpr)                         \
  auto result = (rexpr);                                                          \
  ASSERT_TRUE(result.ok()) << #rexpr << ": " << result.status().ToString();       \
  lhs = std::move(result).ValueOrDie();

#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  S3C_ASSERT_OK_AND_ASSIGN_IMPL(S3C_CONCAT(_result_, __COUNTER__), lhs, rexpr)
