// SPDX-License-Identifier: MIT
#include "ui/run_summary.h"

#include "core/objective/bitmap_params.h"
#include "ui/types.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace dpg::ui {

namespace {
/// objective.kind and objective.params of the stored config (params null when unreadable).
std::pair<std::string, nlohmann::json> objective_of(const store::RunInfo& run) {
  const auto j = nlohmann::json::parse(run.config_json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("objective")) return {};
  const auto& o = j["objective"];
  return {o.value("kind", std::string()), o.value("params", nlohmann::json())};
}
}  // namespace

QString objective_summary(const store::RunInfo& run) {
  const auto [kind, params] = objective_of(run);
  if (kind.empty()) return {};
  const std::string source =
      params.is_object() ? params.value("source", std::string()) : std::string();
  QString what;
  if (source == "67")
    what = QStringLiteral("67");
  else if (source == "qr")
    what = QObject::tr("QR “%1”").arg(qs(params.value("text", std::string())));
  else if (source == "png")
    what = QObject::tr("PNG");
  else if (source == "bitmap" && target_pixels(run) > 0) {
    const auto y = objective::bitmap_from_any_params(params);
    what = QObject::tr("drawn %1×%2").arg(y.rows()).arg(y.cols());
  }
  return what.isEmpty() ? qs(kind) : QStringLiteral("%1: %2").arg(qs(kind), what);
}

int target_pixels(const store::RunInfo& run) {
  const auto [kind, params] = objective_of(run);
  if (!params.is_object() || !params.contains("source")) return 0;
  try {
    const auto y = objective::bitmap_from_any_params(params);
    return y.rows() * y.cols();
  } catch (const std::exception&) {
    return 0;
  }
}

QString best_summary(const store::RunInfo& run) {
  if (!run.best_step || !std::isfinite(run.best_metric)) return {};
  const int n = run.metric_name == "pixel accuracy" ? target_pixels(run) : 0;
  if (n > 0)
    return QObject::tr("%1 of %2 pixels").arg(int(std::lround(run.best_metric * double(n)))).arg(n);
  return QString::number(run.best_metric, 'f', 3);
}

}  // namespace dpg::ui
