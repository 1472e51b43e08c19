// SPDX-License-Identifier: MIT
#pragma once
/// @file RunTour: a short guided tour of a window's parts, one stop at a time. Each stop frames a
/// region of the window (the rest is dimmed) and shows a callout beside it with a title, a few
/// lines and Back / Next / Close. The dimmed layer lets the mouse through, so the window stays
/// usable while the tour is open; Escape closes it.
#include <QPointer>
#include <QString>
#include <QWidget>

#include <functional>
#include <vector>

class QFrame;
class QLabel;
class QPushButton;

namespace dpg::ui {

class RunTour : public QWidget {
  Q_OBJECT
 public:
  struct Stop {
    QString title;
    QString text;
    /// The region to point at, in the window's coordinates (asked again on every move or resize).
    std::function<QRect()> area;
  };

  /// A tour over @p window (its parent), starting at the first stop. Call show() to start.
  RunTour(QWidget* window, std::vector<Stop> stops);
  ~RunTour() override;

  int count() const { return int(stops_.size()); }
  int current() const { return current_; }
  QString title() const;
  QString text() const;
  /// The framed region of the current stop, in the window's coordinates.
  QRect highlighted() const;
  /// The callout's geometry, in the window's coordinates (tests: it must not cover the region).
  QRect calloutGeometry() const;
  /// The Next button's text: "Next" or, at the last stop, "Done".
  QString nextText() const;

 public Q_SLOTS:
  void next();
  void back();
  /// Hides the tour and emits finished(); the tour deletes itself later.
  void finish();

 Q_SIGNALS:
  void finished();

 protected:
  void paintEvent(QPaintEvent* e) override;
  bool eventFilter(QObject* watched, QEvent* event) override;
  void showEvent(QShowEvent* e) override;

 private:
  void showStop(int index);
  /// Covers the window and puts the callout beside the region, inside the window.
  void place();
  std::vector<Stop> stops_;
  int current_ = 0;
  QPointer<QFrame> callout_;  ///< a sibling above this layer, so it gets the mouse
  QLabel* title_ = nullptr;
  QLabel* text_ = nullptr;
  QLabel* counter_ = nullptr;
  QPushButton* back_ = nullptr;
  QPushButton* next_ = nullptr;
};

}  // namespace dpg::ui
