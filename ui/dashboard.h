// SPDX-License-Identifier: MIT
#pragma once
/// @file Dashboard: the live curves of a run (QCustomPlot), smoothed for display only.
///
/// Points arrive one step at a time (append) or in batches from the store (appendMany). Every
/// arrival only stores raw values and arms a ~40 ms single-shot timer; the timer's one replot
/// draws everything that arrived meanwhile, so a burst of steps costs one redraw.
#include "core/config/schedule.h"
#include "core/dpg/records.h"

#include <QTimer>
#include <QWidget>

#include <vector>

class QCustomPlot;
class QCPAbstractItem;
class QCPItemLine;
class QCPItemText;
class QCPTextElement;
class QSlider;
class QLabel;
class QCheckBox;

namespace dpg::ui {

class Dashboard : public QWidget {
  Q_OBJECT
 public:
  explicit Dashboard(QWidget* parent = nullptr);

  void clear();
  void append(const engine::StepMetrics& m);
  void appendMany(const std::vector<engine::StepMetrics>& ms);
  /// Steps received (raw points per curve).
  int pointCount() const { return int(raw_.size()); }
  /// Points drawn in the Φ plot by the last replot (tests).
  int plottedPoints() const;
  double smoothing() const { return smoothing_; }
  void setSmoothing(double weight);
  const std::vector<engine::StepMetrics>& metrics() const { return raw_; }
  /// Titles the readable-metric plot with the objective's metric (RunInfo::metric_name; empty gives
  /// "Readable metric").
  void setMetricName(const std::string& metricName);
  /// The readable-metric plot's title as shown (tests).
  QString metricTitle() const;
  /// Marks the run's schedule (lr drop, objective stages) on every curve: a dashed line at each
  /// event's first step, labelled on the top row of plots. Replaces the previous marks; clear()
  /// keeps them.
  void setSchedule(const std::vector<config::ScheduleEvent>& events);
  /// Schedule lines drawn per plot (tests).
  int scheduleMarks() const { return int(schedule_.size()); }
  /// The curves as CSV (raw values), one row a step.
  QString toCsv() const;
  /// The hover readout: a dotted line on every plot at the stored step nearest @p step, and every
  /// curve's raw value there (with the newest validation at or before it) in the line under the
  /// plots. Hovering a plot calls it.
  void showStep(int64_t step);
  QString readoutText() const;
  bool crosshairVisible() const;
  /// Plot @p plot (the order of titleTip) as a widget, for pointing at it; nullptr out of range.
  QWidget* plotWidget(int plot) const;
  /// The hover readout's line.
  QWidget* readoutWidget() const;
  /// What plot @p plot (0 = Φ, 1 metric, 2 τ, 3 fluency, 4 policy loss, 5 clip fraction, 6 entropy,
  /// 7 step time, 8 groups with equal τ, 9 advantage) is, as its title's tooltip says (the
  /// glossary).
  QString titleTip(int plot) const;
  /// Whether the notes that say why a panel is flat are shown (tests).
  bool clipNoteShown() const;
  bool rewardNoteShown() const;
  /// Points drawn in plot @p plot's graph @p graph by the last replot (tests).
  int graphPoints(int plot, int graph) const;
  /// The validation markers of the Φ plot: (step, value) in step order (tests).
  std::vector<std::pair<double, double>> validationPoints() const;

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void scheduleReplot();
  void insertStep(const engine::StepMetrics& m);  ///< keeps raw_ sorted by step, without repeats
  void replot();
  QCustomPlot* makePlot(const QString& title, const QString& yLabel);
  /// A grey note at the top of @p p, hidden until the data make it true.
  QCPItemText* note(QCustomPlot* p, const QString& text);
  void hoverAt(QCustomPlot* plot, const QPoint& pos);
  QString readout(const engine::StepMetrics& m, std::ptrdiff_t index) const;

  std::vector<engine::StepMetrics> raw_;
  std::vector<QCustomPlot*> plots_;
  QCPTextElement* metric_title_ = nullptr;
  QTimer replot_timer_;
  QSlider* slider_ = nullptr;
  QLabel* slider_label_ = nullptr;
  QCheckBox* log_time_ = nullptr;
  QCPItemText* clip_note_ = nullptr;     ///< shown while every clip fraction is 0
  QCPItemText* reward_note_ = nullptr;   ///< shown while every τ mean is ~0 next to its spread
  std::vector<QCPItemLine*> crosshair_;  ///< one a plot, owned by the plots
  std::vector<QString> title_tips_;
  QLabel* readout_ = nullptr;
  std::vector<config::ScheduleEvent> schedule_;
  std::vector<QCPAbstractItem*>
      schedule_items_;  ///< the lines and labels of schedule_, owned by their plots
  double smoothing_ = 0.6;
  bool fit_ = true;
};

}  // namespace dpg::ui
