// SPDX-License-Identifier: MIT
#pragma once
/// @file Verdicts: what an objective plugin can say about a sign image beyond the pixel count, e.g.
/// whether a drawn QR code scans. The store's summaries, the CLI and the GUI show them without
/// knowing what they judge. Plain C++; no Qt (the capability that hands out judges is
/// VerdictPlugin, core/plugin/objective_plugin.h).
#include "core/dpg/objective_view.h"

#include <functional>
#include <memory>
#include <string>

namespace dpg::plugin {

/// One sign image judged against its target. @since VerdictPlugin/1.0
struct Verdict {
  bool pass = false;  ///< the image does what the target asks (a QR code scans as the target's)
  std::string text;  ///< short, for a caption: "scans as “DPG”", "no scan: 21 codewords wrong, 8
                     ///< repairable"
  std::string detail;  ///< the long form for a tooltip or a report line; may be empty
};

/// How summaries name a judge's verdicts, e.g. for a QR target: label "QR", passes_one
/// "decodes to \"DPG\"", passes_many "decode to \"DPG\"", pass_mark "scans", fail_mark "no scan".
/// @since VerdictPlugin/1.0
struct VerdictTerms {
  std::string label;        ///< what is judged, leading a summary line: "QR: …"
  std::string passes_one;   ///< what one passing image does ("1 of 3 … decodes to …")
  std::string passes_many;  ///< what several do ("2 of 3 … decode to …")
  std::string pass_mark;    ///< a progress bar's word for a passing image
  std::string fail_mark;    ///< … and for one that does not pass
};

/// Judges sign images drawn for one target. Const and reentrant: any thread, also concurrently.
/// @since VerdictPlugin/1.0
class Judge {
 public:
  virtual ~Judge() = default;
  virtual const VerdictTerms& terms() const = 0;
  /// The verdict on @p sign (pixels > 0 are dark, as engine::Image snapshots are stored).
  virtual Verdict judge(const engine::Image& sign) const = 0;
};

/// A judge for sign images of @p target, or nullptr when nothing is to be said about it.
using JudgeFactory = std::function<std::unique_ptr<Judge>(const engine::Image& target)>;

}  // namespace dpg::plugin
