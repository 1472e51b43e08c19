// SPDX-License-Identifier: MIT
#include "core/model/chat_template.h"

namespace dpg::model {

std::string apply_chat_template(const std::vector<ChatMessage>& messages,
                                bool add_generation_prompt, const std::string& default_system) {
  std::string out;
  if (!messages.empty() && messages.front().role != "system") {
    out += "<|im_start|>system\n" + default_system + "<|im_end|>\n";
  }
  for (const auto& m : messages) out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
  if (add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

std::string chat_prompt(const std::string& user, const std::string& system) {
  std::vector<ChatMessage> msgs;
  if (!system.empty()) msgs.push_back({"system", system});
  msgs.push_back({"user", user});
  return apply_chat_template(msgs, true);
}

}  // namespace dpg::model
