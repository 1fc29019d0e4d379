#pragma once
// The local-disk side of file identities and conditional removal: lstat identities, a folder
// listed with them, and deleting or moving a file only if it is still the version identified.
// FileSystems calls these (after its delete fence); they know nothing of the fence.
//
// The check and the act are two system calls: between the lstat and the unlink (or rename),
// another process can still replace the file, and then the replacement is what goes. POSIX has
// no "unlink if this inode"; the window is the few microseconds between two system calls on
// the same path, against checks that otherwise lag by a whole run. Writers that rename a new
// file over the name (the usual way to replace one) during exactly that window are the case
// not covered.
//
// Thread-safe (no state).

#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "storage/exact_removal.h"
#include "storage/file_identity.h"
#include "storage/location.h"

namespace s3c {

enum class LocalKind { kFile, kSymlink, kDirectory, kOther };

struct LocalStat {
  FileIdentity identity;
  LocalKind kind = LocalKind::kOther;
};

/// lstat(path): never follows a final symbolic link. nullopt if nothing is there (ENOENT, or
/// ENOTDIR: a parent is not a folder). Errors: IOError naming the path (EACCES, ...).
arrow::Result<std::optional<LocalStat>> LstatLocal(const std::string& path);

/// The regular files and symbolic links directly in `folder` (not below it; folders and other
/// kinds are left out), sorted by name, each with its lstat identity. Hidden names are listed
/// too: filtering is the caller's. An entry that vanishes between the listing and its lstat is
/// left out. A missing folder lists as empty, as a missing S3 prefix does.
/// Errors: IOError naming the folder if it cannot be read (or is not a folder), or the entry
/// that lstat cannot read.
arrow::Result<std::vector<ListedFile>> ListLocalFolder(const Location& folder);

/// Deletes `file.location` iff lstat, right before the unlink, finds exactly `file.identity`
/// (SameFile: device, inode, size, mtime). Nothing there: kGone. Another file or a folder
/// there: kChanged, left in place. A symbolic link is unlinked itself, never its target.
FileRemoval RemoveLocalIfSame(const ExpectedFile& file);

/// Renames `move.from` to `move.to` iff lstat, right before the rename, finds exactly
/// `move.identity`; creates the folders above `move.to` first. Never replaces an existing
/// `move.to` (renameat2 RENAME_NOREPLACE; where the filesystem lacks it, `to` is checked with
/// lstat just before a plain rename): kFailed instead. Across devices (EXDEV) the file is copied
/// to `to` (a symbolic link as a link), then deleted with RemoveLocalIfSame; if that finds it
/// gone or changed, the copy is deleted again and that outcome is returned.
FileRemoval MoveLocalIfSame(const ExpectedMove& move);

}  // namespace s3c
