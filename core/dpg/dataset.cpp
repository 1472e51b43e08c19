// SPDX-License-Identifier: MIT
#include "core/dpg/dataset.h"

#include <torch/torch.h>

namespace dpg::engine {

InnerData make_inner_data(const model::Tokenizer& tok, const std::vector<std::string>& texts,
                          int64_t seq_len) {
  const int64_t n = int64_t(texts.size());
  const int64_t eos = tok.eos_id(), bos = tok.bos_id() >= 0 ? tok.bos_id() : eos;
  InnerData d;
  d.tokens = torch::full({n, seq_len}, eos, torch::kLong);
  d.mask = torch::zeros({n, seq_len}, torch::kFloat32);
  auto ta = d.tokens.accessor<int64_t, 2>();
  auto ma = d.mask.accessor<float, 2>();
  for (int64_t i = 0; i < n; ++i) {
    auto ids = tok.encode(texts[size_t(i)]);
    ta[i][0] = bos;
    int64_t j = 1;
    for (; j < seq_len && j - 1 < int64_t(ids.size()); ++j) {
      ta[i][j] = ids[size_t(j - 1)];
      ma[i][j] = 1.0f;
    }
    if (j < seq_len) ma[i][j] = 1.0f;  // the EOS that ends the text
  }
  return d;
}

}  // namespace dpg::engine
