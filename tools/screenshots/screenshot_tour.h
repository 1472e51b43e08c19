// SPDX-License-Identifier: MIT
#pragma once
/// @file ScreenshotTour: drives a MainWindow through two short runs and grabs every main view
/// into PNGs (dpg-screenshots; scripts/screenshots.sh runs it under xvfb-run). Quits the
/// application when done.
#include <nlohmann/json.hpp>

#include <QObject>
#include <QString>

namespace dpg::ui {

class MainWindow;

class ScreenshotTour : public QObject {
  Q_OBJECT
 public:
  ScreenshotTour(MainWindow* window, QString outDir, int steps);
  void start();

 private:
  void startRun(int index);
  void grabAll();
  void grabRevalidate();
  void grabContinue();
  /// The objective stages of the tour's runs: a two-pixel focus from halfway.
  nlohmann::json tourStages() const;
  void grab(int tab, const QString& file);
  MainWindow* w_;
  QString dir_;
  int steps_;
  int runs_done_ = 0;
  QList<qint64> ids_;
};

}  // namespace dpg::ui
