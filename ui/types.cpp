// SPDX-License-Identifier: MIT
#include "ui/types.h"

#include <nlohmann/json.hpp>

#include <QObject>

#include <exception>

namespace dpg::ui {

void register_metatypes() {
  qRegisterMetaType<config::RunConfig>("dpg::config::RunConfig");
  qRegisterMetaType<ScheduleMarks>("dpg::ui::ScheduleMarks");
  qRegisterMetaType<engine::StepRecord>("dpg::engine::StepRecord");
  qRegisterMetaType<engine::StepMetrics>("dpg::engine::StepMetrics");
  qRegisterMetaType<SnapshotSet>("dpg::ui::SnapshotSet");
  qRegisterMetaType<MetricsList>("dpg::ui::MetricsList");
  qRegisterMetaType<SampleList>("dpg::ui::SampleList");
  qRegisterMetaType<RunList>("dpg::ui::RunList");
  qRegisterMetaType<SnapshotList>("dpg::ui::SnapshotList");
  qRegisterMetaType<CompareList>("dpg::ui::CompareList");
  qRegisterMetaType<ThumbnailList>("dpg::ui::ThumbnailList");
}

SnapshotSet snapshot_set(int64_t step, const std::vector<engine::Snapshot>& snapshots) {
  SnapshotSet s;
  s.step = step;
  for (const auto& snap : snapshots) {
    if (snap.kind == "target")
      s.target = snap.image;
    else if (snap.kind == "sign")
      s.sign = snap.image;
    else if (snap.kind == "delta")
      s.delta = snap.image;
    else if (snap.kind == "val_sign")
      s.val_sign = snap.image;
    else if (snap.kind == "val_delta")
      s.val_delta = snap.image;
  }
  return s;
}

QStringList image_source_labels() {
  return {QObject::tr("Validation where stored"), QObject::tr("Validation steps only"),
          QObject::tr("Training runs only")};
}

bool shows(const SnapshotSet& set, ImageSource source) {
  switch (source) {
    case ImageSource::Validation:
      return set.has_validation();
    case ImageSource::Training:
      return set.has_training();
    case ImageSource::PreferValidation:
      break;
  }
  return set.has_validation() || set.has_training();
}

std::pair<const engine::Image*, const engine::Image*> source_images(const SnapshotSet& set,
                                                                    ImageSource source,
                                                                    bool* validation) {
  const bool val = source == ImageSource::Validation ||
                   (source == ImageSource::PreferValidation && set.has_validation());
  if (validation) *validation = val;
  return val ? std::pair{&set.val_sign, &set.val_delta} : std::pair{&set.sign, &set.delta};
}

QString metric_noun(const std::string& metric_name) {
  return metric_name.empty() ? QObject::tr("metric") : qs(metric_name);
}

qint64 planned_steps(const store::RunInfo& run) {
  try {
    return nlohmann::json::parse(run.config_json).at("grpo").at("steps").get<qint64>();
  } catch (const std::exception&) {  // an unreadable config: the callers show what the store knows
    return 0;
  }
}

QString metric_title(const std::string& metric_name) {
  QString t = qs(metric_name).trimmed();
  if (t.isEmpty()) return QObject::tr("Readable metric");
  t[0] = t[0].toUpper();
  return t;
}

}  // namespace dpg::ui
