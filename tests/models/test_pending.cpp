// SPDX-License-Identifier: MIT
// TEMPORARY stubs
#include "tests/models/test_models.h"
#include <QtTest>
void TestModels::chat_template_smollm2() { QSKIP("pending"); }
void TestModels::generate_kv_cache_equals_recompute() { QSKIP("pending"); }
void TestModels::generate_batched_left_padding() { QSKIP("pending"); }
void TestModels::generate_sampling_is_seeded() { QSKIP("pending"); }
void TestModels::gradcheck_gpt2_block() { QSKIP("pending"); }
void TestModels::gradcheck_llama_block() { QSKIP("pending"); }
void TestModels::bad_gguf_truncated() { QSKIP("pending"); }
void TestModels::bad_gguf_corrupt_header() { QSKIP("pending"); }
void TestModels::bad_gguf_unsupported_type() { QSKIP("pending"); }
void TestModels::bad_safetensors() { QSKIP("pending"); }
void TestModels::bad_config_mismatch() { QSKIP("pending"); }
