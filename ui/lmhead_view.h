// SPDX-License-Identifier: MIT
#pragma once
/// @file LmHeadView: the target Y, the sign image sign(P_T − P_0) and a heatmap of P_T − P_0
/// (QCPColorMap, diverging, symmetric range, with a colour scale), with a step slider over the
/// stored snapshots and play/pause to animate the image forming.
#include "core/plugin/verdict.h"
#include "ui/types.h"

#include <QTimer>
#include <QWidget>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace dpg::ui {

class LmHeadView : public QWidget {
  Q_OBJECT
 public:
  /// Which run's images the sign image and heatmap show (Validation keeps the slider on one kind).
  using Source = ImageSource;

  explicit LmHeadView(QWidget* parent = nullptr);

  Source source() const { return source_; }
  void setSource(Source source);
  /// Steps the slider runs over for the current source, ascending.
  std::vector<int64_t> shownSteps() const;
  /// The sign image's caption as shown (tests).
  QString signCaption() const;
  /// Its tooltip: the verdict's long form, e.g. for a QR target the whole damage count (tests).
  QString signCaptionTip() const;
  /// Where the verdicts on the shown sign image come from (core/plugin/verdict.h). By default the
  /// first objective plugin with a judge for the shown target (a QR code scans or not).
  void setJudges(plugin::JudgeFactory judges);

  void clear();
  /// Shows Y before any snapshot arrives (from the run's objective parameters); the first stored
  /// snapshot's Y replaces it. Ignored once snapshots are shown.
  void setTarget(const engine::Image& target);
  /// Whether Y is shown (tests).
  bool showsTarget() const { return !target_.empty(); }
  /// Adds snapshots; follows the newest one unless the user moved the slider back.
  void addSnapshot(const SnapshotSet& set);
  void addSnapshots(const SnapshotList& sets);
  int snapshotCount() const { return int(sets_.size()); }
  /// The heatmap of P_T − P_0, for pointing at it.
  QWidget* heatmapWidget() const;
  /// Cells in the heatmap currently shown (0 when none).
  int heatmapCells() const;
  int64_t currentStep() const { return current_step_; }
  void showStep(int64_t step);
  /// Pixels of the shown sign image that disagree with Y (framed in red); -1 when there is no ±1
  /// target to compare.
  int wrongPixels() const { return wrong_pixels_; }
  /// The three images side by side, for export.
  QImage exportImage() const;

 protected:
  void resizeEvent(QResizeEvent* e) override;

 private:
  void updateSlider();
  void render();
  void showTargetOnly();

  std::map<int64_t, SnapshotSet> sets_;
  engine::Image target_;
  plugin::JudgeFactory judges_;
  std::shared_ptr<const plugin::Judge> judge_;  ///< the verdicts on Y's sign images; null: none
  int64_t current_step_ = -1;
  bool follow_ = true;
  QLabel* target_label_ = nullptr;
  QLabel* sign_label_ = nullptr;
  QLabel* sign_caption_ = nullptr;
  int wrong_pixels_ = -1;
  QLabel* step_label_ = nullptr;
  QCustomPlot* plot_ = nullptr;
  QCPColorMap* map_ = nullptr;
  QCPColorScale* scale_ = nullptr;
  QSlider* slider_ = nullptr;
  QToolButton* play_ = nullptr;
  QComboBox* source_box_ = nullptr;
  Source source_ = Source::PreferValidation;
  QTimer play_timer_;
};

}  // namespace dpg::ui
