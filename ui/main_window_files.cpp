// SPDX-License-Identifier: MIT
// MainWindow's File menu: run configs to and from JSON files, and the exports (LM-head images,
// curves, samples, the designed target bitmap).
#include "ui/main_window.h"

#include "ui/dashboard.h"
#include "ui/designer/objective_designer.h"
#include "ui/lmhead_view.h"
#include "ui/run_setup.h"
#include "ui/store_reader.h"

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QStatusBar>

#include <stdexcept>

namespace dpg::ui {

void MainWindow::buildFileMenu() {
  auto* file = menuBar()->addMenu(tr("&File"));
  auto* newRun = file->addAction(tr("&New Run from Preset…"), this,
                                 [this] { tabs_->setCurrentIndex(StartTab); });
  newRun->setShortcut(QKeySequence::New);
  auto* open = file->addAction(tr("&Open Config…"), this, &MainWindow::openConfig);
  open->setShortcut(QKeySequence::Open);
  auto* save = file->addAction(tr("&Save Config…"), this, &MainWindow::saveConfig);
  file->addAction(tr("Open S&tore…"), this, [this] {
    const QString f =
        QFileDialog::getOpenFileName(this, tr("Open run store"), QFileInfo(db_path_).path(),
                                     tr("Run stores (*.db);;All files (*)"));
    if (!f.isEmpty()) openStore(f);
  });
  save->setShortcut(QKeySequence::Save);
  file->addSeparator();
  auto* exp = file->addMenu(tr("&Export"));
  exp->addAction(tr("LM-head &Images (PNG)…"), this, &MainWindow::exportImages);
  exp->addAction(tr("&Curves (CSV)…"), this, &MainWindow::exportCsv);
  exp->addAction(tr("&Samples (JSON Lines)…"), this, &MainWindow::exportSamples);
  exp->addAction(tr("Con&fig (JSON)…"), this, &MainWindow::saveConfig);
  exp->addAction(tr("&Target Bitmap (PNG)…"), this, [this] {
    const QString f = QFileDialog::getSaveFileName(
        this, tr("Export target"), QStringLiteral("target.png"), tr("PNG images (*.png)"));
    if (f.isEmpty()) return;
    try {
      designer_->exportPng(f);
    } catch (const std::exception& e) {
      showError(qs(e.what()));
    }
  });
  file->addSeparator();
  auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
}

void MainWindow::openConfig() {
  const QString f =
      QFileDialog::getOpenFileName(this, tr("Open config"), {}, tr("Run configs (*.json)"));
  if (f.isEmpty()) return;
  try {
    loadConfig(config::load_run_config(f.toStdString()));
  } catch (const std::exception& e) {
    showError(qs(e.what()));
  }
}

void MainWindow::saveConfig() {
  try {
    const auto cfg = setup_->config();
    const QString f = QFileDialog::getSaveFileName(
        this, tr("Save config"), QStringLiteral("run.json"), tr("Run configs (*.json)"));
    if (f.isEmpty()) return;
    QFile out(f);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
      throw std::runtime_error(out.errorString().toStdString());
    out.write(QByteArray::fromStdString(cfg.to_json().dump(2) + "\n"));
  } catch (const std::exception& e) {
    showError(qs(e.what()));
  }
}

void MainWindow::exportImages() {
  const QImage img = lmhead_->exportImage();
  if (img.isNull()) {
    showError(tr("No LM-head snapshot to export yet."));
    return;
  }
  const QString f = QFileDialog::getSaveFileName(
      this, tr("Export images"), QStringLiteral("lmhead.png"), tr("PNG images (*.png)"));
  if (!f.isEmpty() && !img.save(f, "PNG")) showError(tr("Could not write %1").arg(f));
}

void MainWindow::exportCsv() {
  const QString f = QFileDialog::getSaveFileName(
      this, tr("Export curves"), QStringLiteral("curves.csv"), tr("CSV files (*.csv)"));
  if (f.isEmpty()) return;
  QFile out(f);
  if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
    showError(tr("Could not write %1: %2").arg(f, out.errorString()));
    return;
  }
  out.write(dashboard_->toCsv().toUtf8());
}

void MainWindow::exportSamples() {
  if (shown_run_ < 0) {
    showError(tr("No run is shown: start one, or open one from History."));
    return;
  }
  const QString f = QFileDialog::getSaveFileName(
      this, tr("Export samples"), QStringLiteral("run%1-samples.jsonl").arg(shown_run_),
      tr("JSON Lines (*.jsonl);;All files (*)"));
  if (!f.isEmpty()) exportSamplesTo(f);
}

void MainWindow::exportSamplesTo(const QString& path) {
  if (shown_run_ < 0) {
    showError(tr("No run is shown: start one, or open one from History."));
    return;
  }
  statusBar()->showMessage(tr("Exporting the samples of run #%1…").arg(shown_run_));
  reader_->requestExportSamples(shown_run_, path);
}

}  // namespace dpg::ui
