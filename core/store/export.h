// SPDX-License-Identifier: MIT
#pragma once
/// @file Writers that turn a stored run into files a notebook reads. Shared by `dpg export` and the
/// GUI's File › Export menu, so both write the same thing.
#include "core/store/run_store.h"

#include <cstddef>
#include <cstdint>
#include <iosfwd>

namespace dpg::store {

/// Writes every stored sample of run @p run_id as JSON Lines, one sample a line, in step order:
/// step, index, prompt, response, tau, advantage; byte_tau (τ_ij per response byte) where token
/// credit stored it. A response that is not valid UTF-8 is written with U+FFFD for the bad bytes
/// and also as response_bytes (its exact bytes), so byte_tau stays aligned with it.
/// @return the number of lines. Throws std::runtime_error when the stream fails.
size_t write_samples_jsonl(const RunStore& store, int64_t run_id, std::ostream& out);

/// The same, into @p path (created or truncated). Throws std::runtime_error naming the path on
/// failure.
size_t write_samples_jsonl(const RunStore& store, int64_t run_id, const std::string& path);

}  // namespace dpg::store
