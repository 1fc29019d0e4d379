#include "execute/group_writer.h"

#include "execute/group_compactor.h"
#include "execute/page_merger.h"

namespace s3c {

std::unique_ptr<GroupWriter> MakeGroupWriter(const PartitionPlan& plan, size_t group_index,
                                             const RunLayout& layout,
                                             const ExecuteOptions& options,
                                             std::function<void(int64_t)> on_input_done) {
  switch (plan.groups[group_index].method) {
    case GroupMethod::kRewrite:
      break;
    case GroupMethod::kPages:
      return std::make_unique<PageMerger>(plan, group_index, layout, options,
                                          std::move(on_input_done));
  }
  return std::make_unique<GroupCompactor>(plan, group_index, layout, options,
                                          std::move(on_input_done));
}

}  // namespace s3c
