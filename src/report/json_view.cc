#include "report/json_view.h"

#include <algorithm>
#include <cmath>

namespace s3c {
namespace {

constexpr double kLimit = 1e15;
constexpr int64_t kIntLimit = 1'000'000'000'000'000;

}  // namespace

JsonView JsonView::operator[](std::string_view key) const {
  if (!is_object()) return JsonView();
  const auto it = value_->find(std::string(key));
  return it == value_->end() ? JsonView() : JsonView(&*it);
}

std::optional<std::string> JsonView::OptString() const {
  if (value_ == nullptr || !value_->is_string()) return std::nullopt;
  return value_->get_ref<const std::string&>();
}

std::string JsonView::String(std::string fallback) const {
  if (value_ == nullptr) return fallback;
  if (value_->is_string()) return value_->get_ref<const std::string&>();
  if (value_->is_number_integer() || value_->is_boolean()) return value_->dump();
  if (value_->is_number_float()) {
    if (auto n = OptNumber()) return nlohmann::json(*n).dump();
  }
  return fallback;
}

std::optional<double> JsonView::OptNumber() const {
  if (value_ == nullptr || !value_->is_number()) return std::nullopt;
  const double n = value_->get<double>();
  if (!std::isfinite(n)) return std::nullopt;
  return std::clamp(n, -kLimit, kLimit);
}

std::optional<int64_t> JsonView::OptInt() const {
  if (value_ == nullptr || !value_->is_number()) return std::nullopt;
  if (value_->is_number_unsigned()) {
    return static_cast<int64_t>(std::min<uint64_t>(value_->get<uint64_t>(), kIntLimit));
  }
  if (value_->is_number_integer()) {
    return std::clamp<int64_t>(value_->get<int64_t>(), -kIntLimit, kIntLimit);
  }
  const std::optional<double> n = OptNumber();
  if (!n) return std::nullopt;
  return static_cast<int64_t>(std::llround(*n));
}

bool JsonView::Bool(bool fallback) const {
  if (value_ == nullptr || !value_->is_boolean()) return fallback;
  return value_->get<bool>();
}

std::vector<JsonView> JsonView::Items() const {
  std::vector<JsonView> out;
  if (!is_array()) return out;
  out.reserve(value_->size());
  for (const nlohmann::json& item : *value_) out.emplace_back(&item);
  return out;
}

std::vector<std::pair<std::string, JsonView>> JsonView::Fields() const {
  std::vector<std::pair<std::string, JsonView>> out;
  if (!is_object()) return out;
  for (auto it = value_->begin(); it != value_->end(); ++it) {
    out.emplace_back(it.key(), JsonView(&it.value()));
  }
  return out;
}

std::vector<int64_t> JsonView::Ints() const {
  std::vector<int64_t> out;
  for (const JsonView& item : Items()) out.push_back(item.Int());
  return out;
}

std::vector<std::string> JsonView::Strings() const {
  std::vector<std::string> out;
  for (const JsonView& item : Items()) {
    if (auto s = item.OptString()) out.push_back(*s);
  }
  return out;
}

}  // namespace s3c
