#include "plan/input_file.h"

#include <arrow/type.h>

namespace s3c {

bool InputFile::SameShape(const InputFile& other) const {
  if (codec != other.codec || has_int96 != other.has_int96 ||
      decimals_as_integers != other.decimals_as_integers ||
      has_arrow_schema != other.has_arrow_schema || physical_schema != other.physical_schema ||
      pages_refused != other.pages_refused || has_page_index != other.has_page_index) {
    return false;
  }
  if (!schema || !other.schema) return schema == other.schema;
  if (schema->num_fields() != other.schema->num_fields()) return false;
  for (int i = 0; i < schema->num_fields(); ++i) {
    if (!schema->field(i)->Equals(*other.schema->field(i), /*check_metadata=*/true)) return false;
  }
  return true;
}

}  // namespace s3c
