#pragma once
// Precompiled header: the Arrow and Parquet headers nearly every translation unit includes.
// Parsing them dominates compile time on a small machine; this is a build speed-up only, every
// file still includes what it uses.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/filesystem/api.h>
#include <arrow/io/api.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>
