// SPDX-License-Identifier: MIT
#pragma once
/// @file Value types that cross threads in the GUI (GUI -> engine worker, engine worker -> GUI,
/// store reader -> GUI). Everything is sent by value through queued signals; nothing is shared.
/// core/config stays free of Qt, so its types are declared as Qt metatypes here.
#include "core/config/run_config.h"
#include "core/config/schedule.h"
#include "core/dpg/records.h"
#include "core/store/run_store.h"

#include <QMetaType>
#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace dpg::ui {

/// Every LM-head image stored at one step.
struct SnapshotSet {
  int64_t step = 0;
  engine::Image target;
  engine::Image sign;   ///< the step's training run (kind "sign")
  engine::Image delta;  ///< the step's training run (kind "delta")
  engine::Image
      val_sign;  ///< the step's validation, repeat 0 ("val_sign"); empty when it did not validate
  engine::Image val_delta;  ///< the step's validation, repeat 0 ("val_delta")
  bool has_validation() const { return !val_sign.empty() || !val_delta.empty(); }
  bool has_training() const { return !sign.empty() || !delta.empty(); }
};

/// A run's schedule marks (lr and KL drops, objective stages) in step order, as the curves show
/// them.
using ScheduleMarks = std::vector<config::ScheduleEvent>;
using MetricsList = std::vector<engine::StepMetrics>;
using SampleList = std::vector<engine::Sample>;
using RunList = std::vector<store::RunInfo>;
using SnapshotList = std::vector<SnapshotSet>;

/// One run of a comparison: its row, its curves and its sign image at the chosen step.
struct CompareRun {
  store::RunInfo info;
  MetricsList steps;
  int64_t image_step = -1;  ///< the snapshot step shown (the newest at or before the chosen one)
  engine::Image sign;
  engine::Image target;
  bool validation =
      false;  ///< the sign image is the validation's (repeat 0), not the training run's
  ScheduleMarks schedule;  ///< lr drop and stages (none when the config cannot be read)
};
using CompareList = std::vector<CompareRun>;

/// A run's newest sign image for History's thumbnail column (store::RunStore::newest_sign).
struct RunThumbnail {
  int64_t run_id = 0;
  int64_t step = -1;        ///< the image's step; -1: the run has no sign image yet
  bool validation = false;  ///< the validation's image (repeat 0), not the training run's
  engine::Image sign;
};
using ThumbnailList = std::vector<RunThumbnail>;

/// Registers the types above for queued connections. Call once before any thread starts.
void register_metatypes();

/// Which inner run's LM-head images a view shows. A snapshot step stores its training run's images
/// (every snapshot_every steps) and, when it validates, its validation's (repeat 0). The Run and
/// Compare views share these choices, in this order (the order of their combo boxes and QSettings).
enum class ImageSource {
  PreferValidation,  ///< every snapshot step: the validation's images where the step has them
  Validation,        ///< only the steps that validated
  Training,          ///< only the training runs' images
};
/// The combo-box labels of the choices above, in order.
QStringList image_source_labels();
/// Whether @p set holds an image for @p source.
bool shows(const SnapshotSet& set, ImageSource source);
/// The sign and delta images of @p set for @p source; @p validation (if given) says whether they
/// are the validation's. Either image may be empty.
std::pair<const engine::Image*, const engine::Image*> source_images(const SnapshotSet& set,
                                                                    ImageSource source,
                                                                    bool* validation = nullptr);

/// The snapshot set of a StepRecord (kinds "target", "sign"/"val_sign", "delta"/"val_delta").
SnapshotSet snapshot_set(int64_t step, const std::vector<engine::Snapshot>& snapshots);

inline QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

/// A plot title for the objective's readable metric: its stored name with a capital first letter
/// ("Pixel accuracy"), or "Readable metric" for runs stored before the store kept the name.
QString metric_title(const std::string& metric_name);
/// The metric's name inside a sentence ("pixel accuracy"), or "metric" when the run has none
/// stored.
QString metric_noun(const std::string& metric_name);
/// The run's planned length, grpo.steps of its stored config, or 0 when that cannot be read.
qint64 planned_steps(const store::RunInfo& run);

}  // namespace dpg::ui

Q_DECLARE_METATYPE(dpg::config::RunConfig)
Q_DECLARE_METATYPE(dpg::ui::ScheduleMarks)
Q_DECLARE_METATYPE(dpg::engine::StepRecord)
Q_DECLARE_METATYPE(dpg::engine::StepMetrics)
Q_DECLARE_METATYPE(dpg::ui::SnapshotSet)
Q_DECLARE_METATYPE(dpg::ui::MetricsList)
Q_DECLARE_METATYPE(dpg::ui::SampleList)
Q_DECLARE_METATYPE(dpg::ui::RunList)
Q_DECLARE_METATYPE(dpg::ui::SnapshotList)
Q_DECLARE_METATYPE(dpg::ui::CompareList)
Q_DECLARE_METATYPE(dpg::ui::ThumbnailList)
