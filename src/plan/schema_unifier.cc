#include "plan/schema_unifier.h"

#include <algorithm>

#include <arrow/util/key_value_metadata.h>

#include "plan/column_name.h"

namespace s3c {
namespace {

using arrow::DataType;
using arrow::Type;

bool IsSignedInt(Type::type id) {
  return id == Type::INT8 || id == Type::INT16 || id == Type::INT32 || id == Type::INT64;
}
bool IsUnsignedInt(Type::type id) {
  return id == Type::UINT8 || id == Type::UINT16 || id == Type::UINT32 || id == Type::UINT64;
}
int IntBits(Type::type id) {
  switch (id) {
    case Type::INT8: case Type::UINT8: return 8;
    case Type::INT16: case Type::UINT16: return 16;
    case Type::INT32: case Type::UINT32: return 32;
    case Type::INT64: case Type::UINT64: return 64;
    default: return 0;
  }
}
std::shared_ptr<DataType> SignedInt(int bits) {
  switch (bits) {
    case 8: return arrow::int8();
    case 16: return arrow::int16();
    case 32: return arrow::int32();
    default: return arrow::int64();
  }
}
std::shared_ptr<DataType> UnsignedInt(int bits) {
  switch (bits) {
    case 8: return arrow::uint8();
    case 16: return arrow::uint16();
    case 32: return arrow::uint32();
    default: return arrow::uint64();
  }
}
int UnitRank(arrow::TimeUnit::type unit) { return static_cast<int>(unit); }  // SECOND < ... < NANO

arrow::Status Conflict(const std::shared_ptr<DataType>& a, const std::shared_ptr<DataType>& b) {
  return arrow::Status::Invalid(a->ToString(), " vs ", b->ToString());
}

arrow::Result<std::shared_ptr<arrow::Field>> MergeFields(const std::shared_ptr<arrow::Field>& a,
                                                         const std::shared_ptr<arrow::Field>& b) {
  ARROW_ASSIGN_OR_RAISE(auto type, SchemaUnifier::MergeTypes(a->type(), b->type()));
  return a->WithType(type)->WithNullable(a->nullable() || b->nullable());
}

arrow::Result<std::shared_ptr<DataType>> MergeStructs(const arrow::StructType& a,
                                                      const arrow::StructType& b) {
  arrow::FieldVector fields = a.fields();
  for (auto& field : fields) {
    if (FieldIndicesIgnoringCase(b.fields(), field->name()).empty()) {
      field = field->WithNullable(true);
    }
  }
  for (const auto& other : b.fields()) {
    auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& f) {
      return SameColumnName(f->name(), other->name());
    });
    if (it == fields.end()) {
      fields.push_back(other->WithNullable(true));
    } else {
      ARROW_ASSIGN_OR_RAISE(*it, MergeFields(*it, other));
    }
  }
  return arrow::struct_(fields);
}

}  // namespace

arrow::Result<std::shared_ptr<DataType>> SchemaUnifier::MergeTypes(
    const std::shared_ptr<DataType>& a, const std::shared_ptr<DataType>& b) {
  if (a->Equals(*b)) return a;
  const Type::type x = a->id(), y = b->id();
  if (x == Type::NA) return b;
  if (y == Type::NA) return a;
  if (x == Type::DICTIONARY) {
    return MergeTypes(static_cast<const arrow::DictionaryType&>(*a).value_type(), b);
  }
  if (y == Type::DICTIONARY) {
    return MergeTypes(a, static_cast<const arrow::DictionaryType&>(*b).value_type());
  }
  if (IsSignedInt(x) && IsSignedInt(y)) return SignedInt(std::max(IntBits(x), IntBits(y)));
  if (IsUnsignedInt(x) && IsUnsignedInt(y)) return UnsignedInt(std::max(IntBits(x), IntBits(y)));
  if ((IsUnsignedInt(x) && IsSignedInt(y)) || (IsSignedInt(x) && IsUnsignedInt(y))) {
    int unsigned_bits = IsUnsignedInt(x) ? IntBits(x) : IntBits(y);
    int signed_bits = IsSignedInt(x) ? IntBits(x) : IntBits(y);
    int bits = std::max(2 * unsigned_bits, signed_bits);
    if (bits > 64) return Conflict(a, b);
    return SignedInt(bits);
  }
  const bool x_float = x == Type::FLOAT || x == Type::DOUBLE;
  const bool y_float = y == Type::FLOAT || y == Type::DOUBLE;
  if (x_float && y_float) return arrow::float64();
  if ((x_float && (IsSignedInt(y) || IsUnsignedInt(y))) ||
      (y_float && (IsSignedInt(x) || IsUnsignedInt(x)))) {
    // float64 holds every integer of up to 32 bits exactly; float32 only up to 16 bits.
    int bits = x_float ? IntBits(y) : IntBits(x);
    Type::type float_id = x_float ? x : y;
    if (float_id == Type::FLOAT && bits <= 16) return arrow::float32();
    if (bits <= 32) return arrow::float64();
    return Conflict(a, b);
  }
  if ((x == Type::DECIMAL128 || x == Type::DECIMAL256) &&
      (y == Type::DECIMAL128 || y == Type::DECIMAL256)) {
    const auto& da = static_cast<const arrow::DecimalType&>(*a);
    const auto& db = static_cast<const arrow::DecimalType&>(*b);
    int32_t scale = std::max(da.scale(), db.scale());
    int32_t digits = std::max(da.precision() - da.scale(), db.precision() - db.scale());
    int32_t precision = digits + scale;
    // Beyond precision 38 only when an input already was: Spark, Hive and Athena stop at 38.
    bool wide = x == Type::DECIMAL256 || y == Type::DECIMAL256;
    if (precision <= 38 && !wide) return arrow::decimal128(precision, scale);
    if (wide && precision <= 76) return arrow::decimal256(precision, scale);
    return Conflict(a, b);
  }
  if ((x == Type::STRING || x == Type::LARGE_STRING) &&
      (y == Type::STRING || y == Type::LARGE_STRING)) {
    return arrow::large_utf8();
  }
  if ((x == Type::BINARY || x == Type::LARGE_BINARY) &&
      (y == Type::BINARY || y == Type::LARGE_BINARY)) {
    return arrow::large_binary();
  }
  if (x == Type::TIMESTAMP && y == Type::TIMESTAMP) {
    const auto& ta = static_cast<const arrow::TimestampType&>(*a);
    const auto& tb = static_cast<const arrow::TimestampType&>(*b);
    if (ta.timezone() != tb.timezone()) return Conflict(a, b);
    return UnitRank(ta.unit()) >= UnitRank(tb.unit()) ? a : b;
  }
  if ((x == Type::LIST || x == Type::LARGE_LIST) && (y == Type::LIST || y == Type::LARGE_LIST)) {
    const auto& la = static_cast<const arrow::BaseListType&>(*a);
    const auto& lb = static_cast<const arrow::BaseListType&>(*b);
    ARROW_ASSIGN_OR_RAISE(auto value_field, MergeFields(la.value_field(), lb.value_field()));
    if (x == Type::LARGE_LIST || y == Type::LARGE_LIST) return arrow::large_list(value_field);
    return arrow::list(value_field);
  }
  if (x == Type::STRUCT && y == Type::STRUCT) {
    return MergeStructs(static_cast<const arrow::StructType&>(*a),
                        static_cast<const arrow::StructType&>(*b));
  }
  if (x == Type::MAP && y == Type::MAP) {
    const auto& ma = static_cast<const arrow::MapType&>(*a);
    const auto& mb = static_cast<const arrow::MapType&>(*b);
    if (ma.keys_sorted() != mb.keys_sorted()) return Conflict(a, b);
    ARROW_ASSIGN_OR_RAISE(auto key, MergeTypes(ma.key_type(), mb.key_type()));
    ARROW_ASSIGN_OR_RAISE(auto item, MergeFields(ma.item_field(), mb.item_field()));
    return std::make_shared<arrow::MapType>(ma.key_field()->WithType(key), item,
                                            ma.keys_sorted());
  }
  return Conflict(a, b);
}

arrow::Status SchemaUnifier::CheckDistinctNames(const arrow::FieldVector& fields,
                                                const std::string& where) {
  for (size_t i = 0; i < fields.size(); ++i) {
    ARROW_RETURN_NOT_OK(CheckDistinctNames(fields[i]->type()->fields(), where));  // nested
    for (size_t j = i + 1; j < fields.size(); ++j) {
      if (!SameColumnName(fields[i]->name(), fields[j]->name())) continue;
      if (fields[i]->name() == fields[j]->name()) {
        return arrow::Status::Invalid("column '", fields[i]->name(), "' appears twice in ", where);
      }
      return arrow::Status::Invalid("columns '", fields[i]->name(), "' and '", fields[j]->name(),
                                    "' of ", where,
                                    " differ only in case; Hive, Athena and Spark cannot tell "
                                    "them apart, so they are not merged");
    }
  }
  return arrow::Status::OK();
}

arrow::Status SchemaUnifier::Add(const std::shared_ptr<arrow::Schema>& schema,
                                 const std::string& file_uri) {
  ARROW_RETURN_NOT_OK(CheckDistinctNames(schema->fields(), file_uri));
  std::vector<Column> next = columns_;
  for (const auto& field : schema->fields()) {
    auto it = std::find_if(next.begin(), next.end(), [&](const Column& c) {
      return SameColumnName(c.field->name(), field->name());
    });
    if (it == next.end()) {
      // A column absent from the files before this one: those rows will read as NULL.
      next.push_back(Column{files_ > 0 ? field->WithNullable(true) : field, file_uri});
      continue;
    }
    if (it->field->type()->Equals(*field->type())) {
      if (field->nullable() && !it->field->nullable()) it->field = it->field->WithNullable(true);
      continue;
    }
    auto merged = MergeFields(it->field, field);
    if (!merged.ok()) {
      // Named as first seen; a file that spells it otherwise says how.
      const std::string spelled =
          field->name() == it->field->name() ? "" : " (as '" + field->name() + "')";
      return arrow::Status::Invalid("column '", it->field->name(), "': ",
                                    it->field->type()->ToString(), " in ", it->origin, " vs ",
                                    field->type()->ToString(), " in ", file_uri, spelled);
    }
    if (!(*merged)->type()->Equals(*it->field->type())) it->origin = file_uri;
    it->field = *merged;
  }
  for (auto& column : next) {
    if (FieldIndicesIgnoringCase(schema->fields(), column.field->name()).empty()) {
      column.field = column.field->WithNullable(true);
    }
  }
  columns_ = std::move(next);
  ++files_;
  if (std::none_of(schemas_.begin(), schemas_.end(),
                   [&](const auto& s) { return s->Equals(*schema, /*check_metadata=*/true); })) {
    schemas_.push_back(schema);
  }
  return arrow::Status::OK();
}

std::shared_ptr<arrow::Schema> SchemaUnifier::Finish(
    const std::vector<std::string>& catalog_order) const {
  arrow::FieldVector fields;
  std::vector<bool> placed(columns_.size(), false);
  for (const auto& name : catalog_order) {
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (!placed[i] && SameColumnName(columns_[i].field->name(), name)) {
        fields.push_back(columns_[i].field);
        placed[i] = true;
      }
    }
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (!placed[i]) fields.push_back(columns_[i].field);
  }
  auto unified = arrow::schema(fields);

  std::shared_ptr<const arrow::KeyValueMetadata> chosen;
  bool describes_data = false;
  for (auto it = schemas_.rbegin(); it != schemas_.rend(); ++it) {
    if ((*it)->Equals(*unified, /*check_metadata=*/false)) {
      chosen = (*it)->metadata();
      describes_data = true;
      break;
    }
  }
  if (!describes_data && !schemas_.empty()) chosen = schemas_.back()->metadata();
  if (!chosen) return unified;
  auto metadata = std::make_shared<arrow::KeyValueMetadata>();
  for (int64_t i = 0; i < chosen->size(); ++i) {
    const std::string& key = chosen->key(i);
    if (key == "ARROW:schema") continue;
    if (!describes_data && key == "org.apache.spark.sql.parquet.row.metadata") continue;
    metadata->Append(key, chosen->value(i));
  }
  return metadata->size() > 0 ? unified->WithMetadata(metadata) : unified;
}

}  // namespace s3c
