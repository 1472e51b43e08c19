// SPDX-License-Identifier: MIT
// GRPO math against hand-computed cases: group/batch advantages, the PPO-clipped token-mean loss
// and its gradient, the k3 KL estimate.
#include "core/dpg/grpo.h"
#include "core/dpg/policy.h"
#include "core/dpg/rollout_stats.h"
#include "core/model/byte_tokenizer.h"
#include "core/model/transformer.h"
#include "tests/common/tiny_configs.h"

#include <torch/torch.h>
#include <QtTest>

#include <cmath>

using namespace dpg::engine;

namespace grpo_test {
/// A small generator for the policy tests: vocabulary 40, d 16, 2 layers, 4 heads (2 key/value
/// heads for Llama).
dpg::model::ModelConfig policy_config(dpg::model::Arch arch) {
  const int64_t kv_heads = arch == dpg::model::Arch::Llama ? 2 : 4;
  return dpg::test::tiny_config(
      arch,
      {.vocab = 40, .d_model = 16, .heads = 4, .kv_heads = kv_heads, .d_ff = 32, .max_ctx = 32});
}
}  // namespace grpo_test
using grpo_test::policy_config;

class TestGrpo : public QObject {
  Q_OBJECT
 private slots:
  void groupAdvantage() {
    auto r = torch::tensor({1.0, 2.0, 3.0, 4.0, 10.0, 10.0, 10.0, 10.0}, torch::kFloat64);
    auto a = group_advantages(r, 4);
    const double sd = std::sqrt(5.0 / 3.0);  // unbiased std of 1, 2, 3, 4
    const double expect[] = {
        -1.5 / (sd + 1e-6), -0.5 / (sd + 1e-6), 0.5 / (sd + 1e-6), 1.5 / (sd + 1e-6), 0, 0, 0, 0};
    for (int i = 0; i < 8; ++i) QVERIFY(std::abs(a[i].item<double>() - expect[i]) < 1e-12);
  }
  void rolloutStatsByHand() {
    // Three groups of 3: one flat (to 1e-9 of a spread of ~4), two with a spread.
    const std::vector<double> tau = {5.0, 5.0 + 1e-9, 5.0, 1.0, 2.0, 3.0, -4.0, 0.0, 4.0};
    QCOMPARE(frac_zero_spread(tau, 3), 1.0 / 3.0);
    QCOMPARE(frac_zero_spread(std::vector<double>(6, 0.25), 3), 1.0);  // no spread at all
    QVERIFY(std::isnan(frac_zero_spread(tau, 0)));
    QVERIFY(std::isnan(frac_zero_spread(std::vector<double>{1.0}, 2)));  // no whole group
    // Quantiles interpolate between order statistics.
    const std::vector<double> adv = {3.0, -1.0, 0.0, 1.0, 2.0};
    QCOMPARE(quantile(adv, 0.0), -1.0);
    QCOMPARE(quantile(adv, 0.5), 1.0);
    QCOMPARE(quantile(adv, 0.25), 0.0);
    QCOMPARE(quantile(adv, 1.0), 3.0);
    QCOMPARE(quantile(std::vector<double>{0.0, 1.0}, 0.75), 0.75);
    StepMetrics m;
    QVERIFY(std::isnan(m.frac_zero_std) && std::isnan(m.adv_median));
    fill_rollout_stats(m, tau, adv, 3);
    QCOMPARE(m.frac_zero_std, 1.0 / 3.0);
    QCOMPARE(m.adv_min, -1.0);
    QCOMPARE(m.adv_q3, 2.0);
    QCOMPARE(m.adv_max, 3.0);
  }
  void groupOfOneHasZeroAdvantage() {
    auto a = group_advantages(torch::tensor({3.0, -7.0}, torch::kFloat64), 1);
    QCOMPARE(a.abs().sum().item<double>(), 0.0);
  }
  void tinyRewardsStillSpread() {
    // Rewards of order 1e-9 (as in the paper) still give unit-scale advantages.
    auto a = group_advantages(torch::tensor({1e-9, 3e-9}, torch::kFloat64), 2);
    const double sd = std::sqrt(2.0) * 1e-9;
    QVERIFY(std::abs(a[0].item<double>() - (-1e-9 / (sd + 1e-6))) < 1e-15);
  }
  void batchAdvantage() {
    auto a = batch_advantages(torch::tensor({1.0, 3.0}, torch::kFloat64));
    const double sd = std::sqrt(2.0);
    QVERIFY(std::abs(a[0].item<double>() + 1.0 / (sd + 1e-6)) < 1e-12);
    QVERIFY(std::abs(a[1].item<double>() - 1.0 / (sd + 1e-6)) < 1e-12);
  }
  void clippedLossByHand() {
    // Three unmasked tokens and one masked:
    //  ratio 1.5, Â=+1 → clipped to 1.2        → 1.2
    //  ratio 0.5, Â=−1 → min(−0.5, −0.8)       → −0.8
    //  ratio 1.1, Â=+2 → inside the clip range → 2.2
    // loss = −(1.2 − 0.8 + 2.2)/3, clip fraction 2/3.
    auto old = torch::zeros({2, 2}, torch::kFloat64);
    auto lnew =
        torch::tensor({{std::log(1.5), std::log(1.1)}, {std::log(0.5), 5.0}}, torch::kFloat64)
            .requires_grad_(true);
    auto adv = torch::tensor({1.0, -1.0}, torch::kFloat64);
    auto mask = torch::tensor({{1.0, 1.0}, {1.0, 0.0}}, torch::kFloat64);
    // Row 0 has Â=+1 for both tokens; make the second token's Â=+2 by a separate row instead:
    auto lnew3 = torch::tensor({{std::log(1.5)}, {std::log(0.5)}, {std::log(1.1)}}, torch::kFloat64)
                     .requires_grad_(true);
    auto pl = clipped_policy_loss(lnew3, torch::zeros({3, 1}, torch::kFloat64),
                                  torch::tensor({1.0, -1.0, 2.0}, torch::kFloat64),
                                  torch::ones({3, 1}, torch::kFloat64), 0.2);
    QVERIFY(std::abs(pl.loss.item<double>() - (-(1.2 - 0.8 + 2.2) / 3.0)) < 1e-12);
    QVERIFY(std::abs(pl.clip_frac - 2.0 / 3.0) < 1e-12);
    auto g = torch::autograd::grad({pl.loss}, {lnew3})[0];
    QCOMPARE(g[0][0].item<double>(), 0.0);  // clipped: no gradient
    QCOMPARE(g[1][0].item<double>(), 0.0);
    QVERIFY(std::abs(g[2][0].item<double>() - (-1.1 * 2.0 / 3.0)) < 1e-12);  // −r·Â/N
    // Masked tokens contribute nothing, whatever their values.
    auto pl2 = clipped_policy_loss(lnew, old, adv, mask, 0.2);
    // row0: r=1.5 Â=1 → 1.2; r=1.1 Â=1 → 1.1; row1: r=0.5 Â=−1 → −0.8; masked 4th.
    QVERIFY(std::abs(pl2.loss.item<double>() - (-(1.2 + 1.1 - 0.8) / 3.0)) < 1e-12);
  }
  void tokenAdvantagesByHand() {
    // One group of two rows, three positions; row 1 ends after two tokens (mask 0 at position 2).
    //   r = [[1, 2, 3], [4, 0, 9 (masked: ignored)]]
    //   R (reward-to-go) = [[6, 5, 3], [4, 0, 0]]; R_·0 = (6, 4) = the sequence rewards τ_i.
    //   baseline per position (masked mean): (5, 2.5, 3); std of (6, 4) = √2.
    //   Â = [[1, 2.5, 0], [−1, −2.5, 0 (masked)]] / (√2 + 1e-6)
    auto r = torch::tensor({{1.0, 2.0, 3.0}, {4.0, 0.0, 9.0}}, torch::kFloat64);
    auto mask = torch::tensor({{1.0, 1.0, 1.0}, {1.0, 1.0, 0.0}}, torch::kFloat64);
    auto a = token_advantages(r, mask, 2);
    const double s = std::sqrt(2.0) + 1e-6;
    auto want = torch::tensor({{1.0, 2.5, 0.0}, {-1.0, -2.5, 0.0}}, torch::kFloat64) / s;
    QVERIFY(torch::allclose(a, want, 0, 1e-12));
    // Column 0 is the sequence-level GRPO advantage of the summed rewards.
    auto seq = group_advantages(torch::tensor({6.0, 4.0}, torch::kFloat64), 2);
    QVERIFY(torch::allclose(a.select(1, 0), seq, 0, 1e-12));
    // Two groups are normalised separately, and a [N, Lr] advantage reaches each token of the loss.
    auto r2 = torch::cat({r, r * 10.0});
    auto a2 = token_advantages(r2, torch::cat({mask, mask}), 2);
    QVERIFY(torch::allclose(a2.narrow(0, 2, 2), a, 0, 1e-5));  // equal up to the 1e-6 in the scale
    QVERIFY(torch::allclose(a2.narrow(0, 0, 2), a, 0, 1e-12));
    auto lnew = torch::zeros({2, 3}, torch::kFloat64).requires_grad_(true);
    auto pl = clipped_policy_loss(lnew, torch::zeros({2, 3}, torch::kFloat64), a, mask, 0.2);
    auto g = torch::autograd::grad({pl.loss}, {lnew})[0];  // ratio 1 → ∂loss/∂logp = −Â/N_tok
    QVERIFY(torch::allclose(g, -a / 5.0, 0, 1e-12));
  }
  void tokenRewardsOnTheBatch() {
    // Prompts of 2 and 3 tokens (offset 1); response 0 = "xy" + the stop token, response 1 = "z"
    // cut by length.
    const std::vector<std::vector<int64_t>> prompts = {{1, 2}, {1, 2, 3}};
    const std::vector<std::vector<int64_t>> responses = {{'x', 'y', 256}, {'z'}};
    const std::vector<std::string> texts = {"xy", "z"};
    auto b = make_rollout_batch(prompts, responses, 256);
    QCOMPARE(b.offset, int64_t(1));
    // τ columns: byte 0, byte 1, ... (the column after the last byte predicts EOS).
    auto tau = torch::tensor({{1.0, 2.0, 3.0, 4.0}, {5.0, 6.0, 7.0, 8.0}}, torch::kFloat64);
    const dpg::model::ByteTokenizer bytes;
    const auto token_bytes = response_token_bytes(bytes, responses);
    QCOMPARE(token_bytes,
             (std::vector<std::vector<int64_t>>{{1, 1, 0}, {1}}));  // the stop token writes nothing
    auto r = token_rewards(tau, b, prompts, token_bytes, texts);
    // Row 0: x←1, y←2, stop token←3 (EOS column); column 3 is padding. Row 1: z←5 + 6 (its EOS
    // column).
    auto want = torch::tensor({{1.0, 2.0, 3.0}, {0.0, 11.0, 0.0}}, torch::kFloat64);
    QVERIFY(torch::equal(r, want));
    QVERIFY(torch::equal((r != 0).to(torch::kFloat64) * b.response_mask.to(torch::kFloat64),
                         (r != 0).to(torch::kFloat64)));  // rewards only on response tokens
    bool threw = false;
    try {
      token_rewards(tau, b, prompts, {{1, 1, 0}, {1, 1, 1}}, texts);  // "zzz" where the text is "z"
    } catch (const std::invalid_argument& e) {
      threw = QString::fromUtf8(e.what()).contains(
          QStringLiteral("response 1's 3 tokens decode to 3 bytes, its text has 1"));
    }
    QVERIFY(threw);
  }

  /// A byte-level BPE generator: each token gets the τ of every byte it wrote.
  void tokenRewardsOfMultiByteTokens() {
    struct Pieces final
        : dpg::model::Tokenizer {  // ids 0 "ab", 1 "c", 2 "def", 3 a special stop token
      std::vector<int64_t> encode(const std::string&, bool) const override { return {}; }
      std::string decode(const std::vector<int64_t>& ids, bool skip_special) const override {
        static const char* piece[] = {"ab", "c", "def", "<stop>"};
        std::string out;
        for (auto id : ids)
          if (id != 3 || !skip_special) out += piece[id];
        return out;
      }
      int64_t vocab_size() const override { return 4; }
      int64_t bos_id() const override { return -1; }
      int64_t eos_id() const override { return 3; }
      int64_t pad_id() const override { return 3; }
      int64_t special_id(const std::string&) const override { return -1; }
      std::vector<std::string> special_tokens() const override { return {"<stop>"}; }
      std::string kind() const override { return "bpe"; }
    } tok;
    const std::vector<std::vector<int64_t>> prompts = {{9, 9}, {9, 9}};
    const std::vector<std::vector<int64_t>> responses = {{0, 1, 2, 3},
                                                         {2, 0}};  // "abcdef" + stop, "defab"
    const std::vector<std::string> texts = {"abcdef", "defab"};
    const auto token_bytes = response_token_bytes(tok, responses);
    QCOMPARE(token_bytes, (std::vector<std::vector<int64_t>>{{2, 1, 3, 0}, {3, 2}}));
    auto b = make_rollout_batch(prompts, responses, 3);
    // The target's context holds 5 bytes: "f" and both EOS columns are cut off.
    auto tau = torch::tensor({{1.0, 2.0, 4.0, 8.0, 16.0}, {32.0, 64.0, 128.0, 256.0, 512.0}},
                             torch::kFloat64);
    auto r = token_rewards(tau, b, prompts, token_bytes, texts);
    // Row 0: "ab" ← 1 + 2, "c" ← 4, "de(f)" ← 8 + 16, stop ← 0. Row 1: "def" ← 32 + 64 + 128, "ab"
    // ← 256 + 512.
    auto want = torch::tensor({{3.0, 4.0, 24.0, 0.0}, {224.0, 768.0, 0.0, 0.0}}, torch::kFloat64);
    QVERIFY(torch::equal(r, want));
  }
  void klK3() {
    auto lp = torch::tensor({{std::log(0.5)}}, torch::kFloat64);
    auto ref = torch::tensor({{std::log(0.25)}}, torch::kFloat64);
    const double d = std::log(0.5);
    auto kl = kl_to_reference(lp, ref, torch::ones({1, 1}, torch::kFloat64));
    QVERIFY(std::abs(kl.item<double>() - (std::exp(d) - d - 1.0)) < 1e-12);
    QCOMPARE(kl_to_reference(lp, lp, torch::ones({1, 1}, torch::kFloat64)).item<double>(), 0.0);
  }

  /// The entropy bonus's H̄: masked token mean of per-position entropies, by hand; its gradient
  /// through softmax logits points towards the uniform distribution (raising H).
  void meanEntropyByHand() {
    auto ent = torch::tensor({{1.0, 2.0, 4.0}, {0.5, 8.0, 3.0}}, torch::kFloat64);
    auto mask = torch::tensor({{1.0, 1.0, 0.0}, {1.0, 0.0, 1.0}}, torch::kFloat64);
    QVERIFY(std::abs(mean_entropy(ent, mask).item<double>() - (1.0 + 2.0 + 0.5 + 3.0) / 4.0) <
            1e-12);
    QCOMPARE(mean_entropy(ent, torch::zeros_like(mask)).item<double>(),
             0.0);  // empty mask: 0, not NaN
    auto logits = torch::tensor({{{2.0, 0.0, -1.0}}}, torch::kFloat64).requires_grad_(true);
    const auto logp = torch::log_softmax(logits, -1);
    const auto h = -(logp.exp() * logp).sum(-1);
    mean_entropy(h, torch::ones({1, 1}, torch::kFloat64)).backward();
    const auto g = logits.grad();
    QVERIFY(g[0][0][0].item<double>() < 0.0);  // the most likely token loses mass
    QVERIFY(g[0][0][2].item<double>() > 0.0);  // the least likely gains
  }

  /// Scoring only from the shortest prompt on (RolloutBatch::offset) gives the same response
  /// log-probs and entropies as scoring every position, for both architectures.
  void responseLogprobsSkipThePromptPrefix() {
    for (auto arch : {dpg::model::Arch::Gpt2, dpg::model::Arch::Llama}) {
      const auto c = policy_config(arch);
      auto p = dpg::model::init_params(c, 3, torch::kFloat64);
      const std::vector<std::vector<int64_t>> prompts{{1, 2, 3, 4, 5}, {6, 7, 8}, {9, 10, 11, 12}};
      const std::vector<std::vector<int64_t>> responses{{13, 14}, {15, 16, 17, 18}, {19}};
      auto b = make_rollout_batch(prompts, responses, 0);
      QCOMPARE(b.offset,
               int64_t(2));  // shortest prompt 3 → its first response token is predicted at 2
      auto [lp, ent] = token_logprobs(c, p, b.tokens, true, b.offset);
      auto [lp_all, ent_all] = token_logprobs(c, p, b.tokens, true, 0);
      QCOMPARE(lp.size(1), lp_all.size(1) - b.offset);
      QVERIFY(torch::allclose(lp, lp_all.narrow(1, b.offset, lp.size(1)), 0, 1e-12));
      QVERIFY(torch::allclose(ent, ent_all.narrow(1, b.offset, ent.size(1)), 0, 1e-12));
      // The mask marks exactly the response tokens: 2 + 4 + 1 of them.
      QCOMPARE(b.response_mask.sum().item<double>(), 7.0);
      auto logp_old = align_logprobs({{-1.f, -2.f}, {-3.f, -4.f, -5.f, -6.f}, {-7.f}}, b);
      QCOMPARE((logp_old * b.response_mask).sum().item<double>(), -28.0);
      QCOMPARE(logp_old[1][0].item<double>(),
               -3.0);  // prompt of 3: its first response token is predicted at 2
      QCOMPARE(logp_old[0][2].item<double>(), -1.0);  // prompt of 5: predicted at 4 = offset + 2
    }
  }

  /// grpo.micro_batch: the update's gradient, loss, clip fraction and entropy are the same whether
  /// the rows go through forward and backward all at once or a few at a time (micro-batches of
  /// unequal token counts, one of them without any response token), with every loss term on:
  /// clipping, KL and the entropy bonus.
  void microBatchedPolicyGradientEqualsWhole() {
    const auto c = policy_config(dpg::model::Arch::Llama);
    const auto theta = dpg::model::init_params(c, 5, torch::kFloat64);
    const std::vector<std::vector<int64_t>> prompts{
        {1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10}, {11, 12, 13}, {14, 15, 16}};
    const std::vector<std::vector<int64_t>> responses{
        {17, 18, 19}, {20}, {21, 22, 23, 24, 25}, {}, {26, 27}};
    auto b = make_rollout_batch(prompts, responses, 0);
    const auto mask = b.response_mask.to(torch::kFloat64);
    torch::manual_seed(11);
    torch::Tensor logp_now;
    {
      torch::NoGradGuard ng;
      logp_now = token_logprobs(c, theta, b.tokens, false, b.offset).first;
    }
    // Old log-probs off the current ones, so that some ratios leave [0.8, 1.2] and are clipped.
    const auto logp_old = logp_now + 0.3 * torch::randn(logp_now.sizes(), torch::kFloat64);
    const auto logp_ref = logp_now + 0.5 * torch::randn(logp_now.sizes(), torch::kFloat64);
    const auto adv = torch::randn(logp_now.sizes(), torch::kFloat64) * mask;
    const PolicyTerms terms{0.2, 0.1, 0.01};
    const auto whole =
        policy_gradient(c, theta, b.tokens, b.offset, mask, logp_old, logp_ref, adv, terms, 0);
    QCOMPARE(whole.tokens, 11.0);
    QVERIFY(whole.clip_frac > 0.0 && whole.clip_frac < 1.0);
    double norm = 0;
    for (const auto& [name, g] : whole.grads) norm += g.pow(2).sum().item<double>();
    QVERIFY(norm > 1e-6);
    for (int64_t micro : {1, 2, 3}) {
      const auto part = policy_gradient(c, theta, b.tokens, b.offset, mask, logp_old, logp_ref, adv,
                                        terms, micro);
      QCOMPARE(part.grads.size(), whole.grads.size());
      for (const auto& [name, g] : whole.grads)
        QVERIFY2(torch::allclose(part.grads.at(name), g, 1e-10, 1e-14),
                 qPrintable(QString::fromStdString(name)));
      QVERIFY(std::abs(part.loss - whole.loss) < 1e-12);
      QVERIFY(std::abs(part.clip_frac - whole.clip_frac) < 1e-12);
      QVERIFY(std::abs(part.entropy_sum - whole.entropy_sum) < 1e-10);
      QCOMPARE(part.tokens, whole.tokens);
    }
    // Without the weighting by each micro-batch's share of the tokens the gradients would differ:
    // the check above can fail. Two micro-batches' plain token-means summed are not the
    // mini-batch's.
    PolicyTerms plain = terms;
    plain.kl_coef = plain.entropy_coef = 0;
    const auto a = policy_gradient(c, theta, b.tokens.narrow(0, 0, 2), b.offset,
                                   mask.narrow(0, 0, 2), logp_old.narrow(0, 0, 2),
                                   logp_ref.narrow(0, 0, 2), adv.narrow(0, 0, 2), plain);
    const auto z = policy_gradient(c, theta, b.tokens.narrow(0, 2, 3), b.offset,
                                   mask.narrow(0, 2, 3), logp_old.narrow(0, 2, 3),
                                   logp_ref.narrow(0, 2, 3), adv.narrow(0, 2, 3), plain);
    const auto w =
        policy_gradient(c, theta, b.tokens, b.offset, mask, logp_old, logp_ref, adv, plain, 2);
    const auto& key = whole.grads.begin()->first;
    QVERIFY(!torch::allclose(a.grads.at(key) + z.grads.at(key), w.grads.at(key), 1e-6, 1e-12));
    QVERIFY(torch::allclose((a.grads.at(key) * a.tokens + z.grads.at(key) * z.tokens) / w.tokens,
                            w.grads.at(key), 1e-10, 1e-14));
  }
};

QTEST_GUILESS_MAIN(TestGrpo)
#include "test_grpo.moc"
