// SPDX-License-Identifier: MIT
#pragma once
/// @file The core/model test suite. Expected values come from tests/reference/reference.py, run
/// once in initTestCase with the pinned .venv packages into a temporary directory.
#include "core/model/model_io.h"

#include <QObject>
#include <QString>
#include <QTemporaryDir>

#include <memory>
#include <string>

class TestModels : public QObject {
  Q_OBJECT

 public:
  /// Path of a fixture written by the reference script.
  static std::string fixture(const std::string& name);
  /// The SmolLM2 GGUF in the .venv (empty when missing).
  static std::string smollm2_path();
  /// SmolLM2, loaded once (float32).
  static const dpg::model::LoadedModel& smollm2();

 private slots:
  void initTestCase();

  // test_gguf_quant.cpp
  void gguf_metadata_all_types();
  void gguf_dequant_matches_gguf_py();
  void gguf_real_smollm2_blocks();

  // test_tokenizer.cpp
  void tokenizer_matches_hf();
  void tokenizer_round_trip();
  void tokenizer_json_equals_gguf();

  // test_logits.cpp
  void smollm2_logits_match_hf();
  void tiny_safetensors_logits_match_hf();
  void tiny_gguf_logits_match_hf();

  // test_generate.cpp
  void chat_template_smollm2();
  void generate_kv_cache_equals_recompute();
  void generate_batched_left_padding();
  void generate_sampling_is_seeded();
  void generate_min_new_tokens_masks_stops();

  // test_gradcheck.cpp
  void gradcheck_gpt2_block();
  void gradcheck_llama_block();

  // test_bad_input.cpp
  void bad_gguf_truncated();
  void bad_gguf_corrupt_header();
  void bad_gguf_unsupported_type();
  void bad_safetensors();
  void bad_config_mismatch();

 private:
  static std::unique_ptr<QTemporaryDir> dir_;
};
