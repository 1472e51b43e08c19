// SPDX-License-Identifier: MIT
#pragma once
/// @file CompareView: 2–4 runs side by side: overlaid curves of a chosen metric, their sign images
/// at a chosen step, and the config keys whose values differ.
#include "ui/types.h"

#include <nlohmann/json.hpp>

#include <QWidget>

#include <vector>

class QComboBox;
class QCustomPlot;
class QGridLayout;
class QLabel;
class QSpinBox;
class QTableWidget;

namespace dpg::ui {

class StoreReader;

class CompareView : public QWidget {
  Q_OBJECT
 public:
  CompareView(StoreReader* reader, QWidget* parent = nullptr);
  void compare(const QList<qint64>& runIds);
  int runCount() const { return int(runs_.size()); }
  int curveCount() const;
  /// The chosen curve's name as offered (it names the runs' own metric when they share one).
  QString curveName() const;
  int diffRows() const;
  /// The schedule marks' labels on the curve plot, e.g. "lr 1e-04" (shared by every run) or "#2
  /// stage 1: focus".
  QStringList scheduleLabels() const;
  /// Which inner run's sign images are shown (remembered by the main window).
  ImageSource imageSource() const;
  void setImageSource(ImageSource source);
  /// Per run: the pixels of its shown sign image that differ from Y, or -1 without a comparable Y.
  std::vector<int> wrongPixels() const;
  /// Per run: whether its shown sign image is a validation's (false: a training run's, or none).
  std::vector<bool> shownValidation() const;
  /// Dotted keys whose values differ between @p configs (JSON objects), with each value.
  static std::vector<std::pair<std::string, std::vector<std::string>>> configDiff(
      const std::vector<nlohmann::json>& configs);

 private:
  void showRuns(const CompareList& runs);
  void plot();
  void request();
  StoreReader* reader_;
  QList<qint64> ids_;
  CompareList runs_;
  QComboBox* metric_ = nullptr;
  QSpinBox* step_ = nullptr;
  QComboBox* source_ = nullptr;
  QCustomPlot* plot_ = nullptr;
  QGridLayout* images_ = nullptr;
  QTableWidget* diff_ = nullptr;
  QLabel* hint_ = nullptr;
};

}  // namespace dpg::ui
