// SPDX-License-Identifier: MIT
#pragma once
/// @file Chat prompts in SmolLM2's ChatML template:
///   <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n
/// When the first message is not a system message, SmolLM2's template inserts its default system
/// prompt; kSmolLM2System is that prompt, verbatim from the template in the GGUF.
#include <string>
#include <vector>

namespace dpg::model {

inline constexpr const char* kSmolLM2System =
    "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

struct ChatMessage {
  std::string role;  ///< "system", "user" or "assistant"
  std::string content;
};

/// Renders @p messages like SmolLM2's Jinja template. With @p add_generation_prompt the result ends
/// with "<|im_start|>assistant\n". @p default_system is inserted when the first message is not a
/// system message (pass "" together with an explicit system message to control it fully).
std::string apply_chat_template(const std::vector<ChatMessage>& messages,
                                bool add_generation_prompt = true,
                                const std::string& default_system = kSmolLM2System);

/// One user turn (with an optional system prompt; empty means SmolLM2's default), ready to
/// generate.
std::string chat_prompt(const std::string& user, const std::string& system = "");

}  // namespace dpg::model
