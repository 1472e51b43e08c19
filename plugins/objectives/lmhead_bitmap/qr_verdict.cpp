// SPDX-License-Identifier: MIT
#include "plugins/objectives/lmhead_bitmap/qr_verdict.h"

#include "plugins/objectives/lmhead_bitmap/qr_damage.h"
#include "plugins/objectives/lmhead_bitmap/qr_scan.h"

namespace dpg::objective {
namespace {

class QrJudge : public plugin::Judge {
 public:
  QrJudge(std::string payload, Bitmap target) : target_(std::move(target)) {
    terms_ = {"QR", "decodes to \"" + payload + "\"", "decode to \"" + payload + "\"", "scans",
              "no scan"};
    payload_ = std::move(payload);
  }
  const plugin::VerdictTerms& terms() const override { return terms_; }

  /// Scans @p sign; when it does not scan as the payload, counts its damage by the parts a scan
  /// needs: Reed–Solomon repairs whole codewords, so wrong codewords, not pixels, say how near.
  plugin::Verdict judge(const engine::Image& sign) const override {
    plugin::Verdict v;
    const auto damage = qr_damage(target_, Bitmap::from_image(sign));
    if (damage) v.detail = describe(*damage);
    v.pass = scan_qr(sign) == payload_;
    if (v.pass)
      v.text = "scans as “" + payload_ + "”";
    else if (damage)
      v.text = "no scan: " + std::to_string(damage->codewords_wrong) + " codewords wrong, " +
               std::to_string(damage->repairable) + " repairable";
    else
      v.text = "does not scan";
    return v;
  }

 private:
  std::string payload_;
  Bitmap target_;
  plugin::VerdictTerms terms_;
};

}  // namespace

std::unique_ptr<plugin::Judge> qr_judge(const engine::Image& target) {
  const auto payload = scan_qr(target);  // a 21 × 21 scan: well under a millisecond
  if (!payload) return nullptr;
  return std::make_unique<QrJudge>(*payload, Bitmap::from_image(target));
}

}  // namespace dpg::objective
