// SPDX-License-Identifier: MIT
#pragma once
/// @file CompareView: 2–4 runs side by side, as TensorBoard shows them: every metric as a small
/// multiple (one plot a metric, one colour a run; the smoothed curve over the faint raw one,
/// validations as joined markers), an x-axis of steps, examples seen or cumulative step time, one
/// step slider that moves every run's sign image, and the config keys whose values differ.
#include "ui/types.h"

#include <nlohmann/json.hpp>

#include <QTimer>
#include <QWidget>

#include <vector>

class QComboBox;
class QCustomPlot;
class QGridLayout;
class QLabel;
class QSlider;
class QTableWidget;

namespace dpg::ui {

class StoreReader;

class CompareView : public QWidget {
  Q_OBJECT
 public:
  /// What the x-axis of every plot counts.
  enum class XAxis { Step, Examples, Time };

  CompareView(StoreReader* reader, QWidget* parent = nullptr);
  void compare(const QList<qint64>& runIds);
  int runCount() const { return int(runs_.size()); }
  /// Smoothed curves in the readable-metric plot: one a run.
  int curveCount() const;
  /// The readable-metric plot's title (it names the runs' own metric when they share one).
  QString curveName() const;
  /// The small multiples' titles, in grid order.
  QStringList panelTitles() const;
  int diffRows() const;
  /// The schedule marks' labels on the first plot, e.g. "lr 1e-04" (shared by every run) or "#2
  /// stage 1: focus".
  QStringList scheduleLabels() const;
  /// Which inner run's sign images are shown (remembered by the main window).
  ImageSource imageSource() const;
  void setImageSource(ImageSource source);
  XAxis xAxis() const { return x_axis_; }
  void setXAxis(XAxis axis);
  /// The largest x of run @p run's curves in the first plot (tests: steps, examples or seconds).
  double lastX(int run) const;
  double smoothing() const { return smoothing_; }
  void setSmoothing(double weight);
  /// Moves every run's sign image to its newest snapshot at or before @p step (-1: the newest).
  void setImageStep(qint64 step);
  /// Per run: the snapshot step whose sign image is shown (-1: none).
  std::vector<int64_t> imageSteps() const;
  /// Per run: the pixels of its shown sign image that differ from Y, or -1 without a comparable Y.
  std::vector<int> wrongPixels() const;
  /// Per run: whether its shown sign image is a validation's (false: a training run's, or none).
  std::vector<bool> shownValidation() const;
  /// Dotted keys whose values differ between @p configs (JSON objects), with each value. Values
  /// are compared as JSON values, so 20 and 20.0 are equal.
  static std::vector<std::pair<std::string, std::vector<std::string>>> configDiff(
      const std::vector<nlohmann::json>& configs);

 private:
  void showRuns(const CompareList& runs);
  void showImages();
  void showDiff();
  void plot();
  void plotPanel(int panel);
  void markSchedule(QCustomPlot* p, bool labelled);
  std::vector<double> xs(const CompareRun& run) const;
  void request();
  StoreReader* reader_;
  QList<qint64> ids_;
  CompareList runs_;
  std::vector<double> rollouts_;  ///< per run: P × G, the examples one step sees
  std::vector<QCustomPlot*> plots_;
  QComboBox* x_box_ = nullptr;
  QSlider* smooth_ = nullptr;
  QLabel* smooth_label_ = nullptr;
  QSlider* step_ = nullptr;
  QLabel* step_label_ = nullptr;
  QComboBox* source_ = nullptr;
  QGridLayout* images_ = nullptr;
  QTableWidget* diff_ = nullptr;
  QLabel* hint_ = nullptr;
  QTimer step_timer_;  ///< a slider drag asks the store once it rests
  XAxis x_axis_ = XAxis::Step;
  double smoothing_ = 0.6;
  qint64 image_step_ = -1;
};

}  // namespace dpg::ui
