#include "commit/newcomers.h"

#include "storage/run_layout.h"

namespace s3c {

arrow::Result<int> Newcomers::Carry(const Location& dir, const Location& output_dir,
                                    const std::set<std::string>& known,
                                    std::vector<JournalOutput>* outputs, Published* published) {
  ARROW_ASSIGN_OR_RAISE(auto listed, ListFolder(dir));
  std::set<std::string> carried_already;
  for (const auto& o : *outputs) carried_already.insert(o.source);
  int carried = 0;
  for (const auto& info : listed) {
    Location from{dir.fs, info.path()};
    if (info.type() != arrow::fs::FileType::File || known.count(info.path()) ||
        known.count(from.uri()) || carried_already.count(from.uri()) ||
        RunLayout::IsHidden(BaseName(info.path()))) {
      continue;
    }
    Location to = output_dir.Child(BaseName(info.path()));
    auto copied = from.fs->CopyFile(from.path, to.path);
    if (!copied.ok()) {
      return copied.WithMessage("cannot carry ", from.uri(), ", written during the run, to ",
                                to.uri(), ": ", copied.message());
    }
    if (published) {
      published->files.push_back(to);
      published->bytes += info.size();
      published->sizes.Add(info.size());
    }
    outputs->push_back({"", from.uri(), to.uri(), info.size(), -1});
    ++carried;
  }
  return carried;
}

arrow::Result<int> Newcomers::CarryFor(const PartitionPlan& plan, CommitResult& commit,
                                       RunJournal& journal) {
  std::set<std::string> known;
  for (const auto& f : plan.files) known.insert(f.info.path());
  for (const auto& f : plan.other_files) known.insert(f.path());
  ARROW_ASSIGN_OR_RAISE(int carried, Carry(plan.partition.location, plan.output_dir, known,
                                           &commit.journal_outputs, &commit.published));
  if (carried > 0) {
    PartitionRecord record;
    record.state = PartitionState::kPublished;
    record.outputs = commit.journal_outputs;
    ARROW_RETURN_NOT_OK(journal.Record(plan.partition.path, record));
  }
  return carried;
}

}  // namespace s3c
