// SPDX-License-Identifier: MIT
// MainWindow's View and Help menus, and the guided tour of the Run view (Help › Tour of the Run
// view; shown once by itself when this window starts its first run).
#include "ui/dashboard.h"
#include "ui/glossary.h"
#include "ui/lmhead_view.h"
#include "ui/main_window.h"
#include "ui/run_tour.h"

#include <QAction>
#include <QApplication>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QTabBar>
#include <QTabWidget>

namespace dpg::ui {

namespace {
/// Set once the tour has been shown by itself, so it never comes back unasked.
constexpr const char* kTourShownKey = "tour/runViewShown";

/// @p w's rectangle in @p window's coordinates (empty when @p w is hidden).
QRect rectIn(const QWidget* w, const QWidget* window) {
  if (!w || !w->isVisible()) return {};
  return QRect(w->mapTo(window, QPoint(0, 0)), w->size());
}
}  // namespace

void MainWindow::buildViewAndHelpMenus() {
  auto* view = menuBar()->addMenu(tr("&View"));
  const QStringList names = {tr("Start"),   tr("Design"),  tr("Run"),
                             tr("Samples"), tr("History"), tr("Compare")};
  for (int i = 0; i < names.size(); ++i) {
    auto* a = view->addAction(names[i], this, [this, i] { tabs_->setCurrentIndex(i); });
    a->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)));
  }

  auto* help = menuBar()->addMenu(tr("&Help"));
  auto* glossary = help->addAction(tr("&Glossary"), this, [this] { show_glossary(this); });
  glossary->setShortcut(QKeySequence::HelpContents);
  glossary->setObjectName(QStringLiteral("glossaryAction"));
  auto* tourAction = help->addAction(tr("&Tour of the Run view"), this, [this] { startTour(); });
  tourAction->setObjectName(QStringLiteral("tourAction"));
  help->addSeparator();
  help->addAction(tr("&About DPG Workbench"), this, [this] {
    QMessageBox::about(this, tr("About DPG Workbench"),
                       tr("<h3>DPG Workbench %1</h3><p>A desktop research tool for Dataset Policy "
                          "Gradient: design an objective, watch the image form in the target's LM "
                          "head, and compare runs.</p><p>Runs are stored in <tt>%2</tt>.</p>"
                          "<p>Settings are remembered in <tt>%3</tt>.</p>"
                          "<p>Licensed under the MIT licence.</p>")
                           .arg(QApplication::applicationVersion(), db_path_.toHtmlEscaped(),
                                QSettings().fileName().toHtmlEscaped()));
  });
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
  // The tour points at the Run tab's parts: leaving the tab ends it.
  connect(tabs_, &QTabWidget::currentChanged, this, [this](int tab) {
    if (tab != RunTab && tour_) tour_->finish();
  });
}

std::vector<RunTour::Stop> MainWindow::tourStops() {
  const auto at = [this](const QWidget* w) { return [this, w] { return rectIn(w, this); }; };
  return {
      {tr("Φ, the objective"),
       tr("Φ measures how well the target, trained on this step's texts, draws the goal: higher "
          "is better. Blue is each step (smoothed), red the validations on fresh texts, joined "
          "only to each other. The readable metric beside it says the same in plain units "
          "(pixel accuracy: 0.5 is chance)."),
       at(dashboard_->plotWidget(0))},
      {tr("τ, each text's reward"),
       tr("τ is the metagradient of one text: how much Φ would rise if the target trained on it "
          "more. Its mean sits near 0 by construction; the band, its spread across the texts, is "
          "what the generator learns from."),
       at(dashboard_->plotWidget(2))},
      {tr("The image forming"),
       tr("The heatmap (right) is P_T − P_0, how the target's LM-head patch moved after training "
          "on the step's texts (red up, blue down). Its sign (middle) should become the target Y "
          "(left); the caption counts the pixels that match and frames the wrong ones in red. "
          "The slider replays the snapshots."),
       at(lmhead_)},
      {tr("The samples"),
       tr("The Samples tab lists the step's texts with their τ and advantage. The selected text "
          "is shown coloured by what each byte earned, so you see which text draws the image."),
       [this] {
         const QTabBar* bar = tabs_->tabBar();
         return bar->tabRect(SamplesTab).translated(bar->mapTo(this, QPoint(0, 0)));
       }},
      {tr("Reading a step"),
       tr("Hover any plot: a dotted line marks that step on every plot, and this line reads out "
          "every curve there. Help › Glossary (F1) explains each term; this tour is under Help "
          "too."),
       at(dashboard_->readoutWidget())},
  };
}

RunTour* MainWindow::startTour() {
  if (tour_) tour_->finish();
  tabs_->setCurrentIndex(RunTab);
  tour_ = new RunTour(this, tourStops());
  tour_->show();
  return tour_;
}

void MainWindow::showTourOnce() {
  QSettings settings;
  if (settings.value(QLatin1String(kTourShownKey), false).toBool()) return;
  settings.setValue(QLatin1String(kTourShownKey), true);
  startTour();
}

}  // namespace dpg::ui
