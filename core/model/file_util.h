// SPDX-License-Identifier: MIT
#pragma once
/// @file Small file helpers: whole-file reads with readable errors, and durable atomic writes.
#include <string>

namespace dpg::model {

/// Reads a whole file; throws FormatError naming the path when it cannot be opened or read.
std::string read_file_bytes(const std::string& path);
/// Writes @p bytes to path.tmp, fsyncs it, renames it over @p path and fsyncs the directory, so a
/// crash leaves either the old file or the new one, never a torn one.
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace dpg::model
