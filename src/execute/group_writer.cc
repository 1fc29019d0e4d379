#include "execute/group_writer.h"

#include "execute/group_compactor.h"
#include "execute/page_merger.h"

namespace s3c {

arrow::Status CreateStaging(const Location& staging) {
  if (staging.is_s3()) return arrow::Status::OK();
  return staging.fs->CreateDir(staging.path, /*recursive=*/true);
}

void DiscardStaged(const std::vector<WrittenFile>& files) {
  for (const auto& file : files) {
    if (file.location.is_s3()) continue;
    auto removed = file.location.fs->DeleteFile(file.location.path);
    (void)removed;
  }
}

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
