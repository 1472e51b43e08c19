// SPDX-License-Identifier: MIT
#pragma once
/// @file MainWindow: tabs Start / Design / Run / Samples / History / Compare, menus, status bar.
/// A thin shell: views own their widgets, EngineController owns the engine thread and
/// StoreReader owns the store-reading thread.
#include "ui/run_tour.h"
#include "ui/types.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

namespace dpg::config {
struct RunConfig;
}

class QAction;
class QLabel;
class QTabWidget;

namespace dpg::ui {

class CompareView;
class Dashboard;
class EngineController;
class HistoryBrowser;
class ContinueDialog;
class RevalidateDialog;
class LmHeadView;
class PresetCards;
class ObjectiveDesigner;
class RunSetup;
class SamplesView;
class StoreReader;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum Tab { StartTab, DesignTab, RunTab, SamplesTab, HistoryTab, CompareTab };
  /// @p dbPath: the run store (default: session::default_db_path()).
  explicit MainWindow(const QString& dbPath = {}, QWidget* parent = nullptr);
  ~MainWindow() override;

  EngineController* engine() const { return engine_; }
  StoreReader* reader() const { return reader_; }
  Dashboard* dashboard() const { return dashboard_; }
  LmHeadView* lmHead() const { return lmhead_; }
  SamplesView* samples() const { return samples_; }
  HistoryBrowser* history() const { return history_; }
  CompareView* compareView() const { return compare_; }
  ObjectiveDesigner* designer() const { return designer_; }
  PresetCards* presetCards() const { return presets_; }
  RunSetup* runSetup() const { return setup_; }
  QTabWidget* tabs() const { return tabs_; }
  qint64 shownRun() const { return shown_run_; }
  /// The Run tab's header, e.g. "Run #3 67-tiny designed (live)".
  QString runHeader() const;
  /// Message boxes for engine errors (tests turn them off and read lastError()).
  void setInteractive(bool on) { interactive_ = on; }
  QString lastError() const { return last_error_; }

 public Q_SLOTS:
  void startRun();
  void stopRun();
  void pauseResume();
  /// Opens another run store in a new window (File › Open Store…) and closes this one unless its
  /// run is live.
  MainWindow* openStore(const QString& dbPath);
  /// Shows a stored run in the Run and Samples tabs, following it live while it runs.
  void openRun(qint64 runId);
  void compareRuns(const QList<qint64>& runIds);
  /// Opens the non-modal re-validation dialog for a run in the History list (nullptr if it is not
  /// there).
  RevalidateDialog* revalidateRun(qint64 runId);
  /// Continues a stored run (History › Resume) and shows it live; @p changes (`key=value`) run it
  /// on with changed settings (History › Continue…).
  void resumeStoredRun(qint64 runId, const QStringList& changes = {});
  /// Opens the Continue dialog for a run in the History list; its Continue button calls
  /// resumeStoredRun.
  ContinueDialog* continueRun(qint64 runId);
  /// Loads a stored run's config into the run setup and the designer (History › Use Config).
  void useRunConfig(qint64 runId);
  /// Writes every stored sample of the shown run to @p path as JSON Lines, off the GUI thread
  /// (File › Export › Samples asks for the path).
  void exportSamplesTo(const QString& path);
  /// Help › Tour of the Run view: shows the Run tab and starts its guided tour (a new one if one is
  /// open).
  RunTour* startTour();
  /// Starts the tour unless it was shown before (QSettings); called when this window's engine
  /// starts a run, so a new user meets it with the first run.
  void showTourOnce();

 protected:
  void closeEvent(QCloseEvent* e) override;

 private:
  // Construction: one builder a page, the menus and the status bar, then the connections a view at
  // a time.
  QWidget* buildStartPage();
  QWidget* buildDesignPage();
  QWidget* buildRunPage();
  void buildMenus();
  void buildFileMenu();
  void buildRunMenu();
  void buildViewAndHelpMenus();
  void buildStatusBar();
  /// The tour's stops: Φ, τ, the LM-head images, the Samples tab, the hover readout.
  std::vector<RunTour::Stop> tourStops();
  /// Loads preset @p name into the run setup and, for a bitmap objective, the designer.
  void usePreset(const QString& name);
  void connectEngine();
  void connectStore();
  void connectHistory();
  /// Window geometry, splitter sizes, the current tab and the image sources, kept in QSettings.
  void restoreLayout();
  void saveLayout() const;

  void resetRunViews(qint64 runId);
  void onStep(const engine::StepRecord& r);
  void updateStatus();
  /// Start, Pause/Resume and Stop for the engine's state and the shown run's.
  void updateRunActions();
  /// "Run #12 67-tiny designed (live)"; @p state may be empty.
  QString runTitle(qint64 runId, const QString& state) const;
  /// Y in the LM-head view before the first snapshot, when the objective draws a bitmap.
  void showTargetOf(const config::RunConfig& cfg);
  void showTargetOf(const std::string& configJson);
  void pollShownRun();
  void showError(const QString& message);
  void openConfig();
  /// Puts @p cfg into the run setup (and the designer, for a bitmap objective).
  void loadConfig(const config::RunConfig& cfg);
  void saveConfig();
  void exportImages();
  void exportCsv();
  void exportSamples();

  QString db_path_;
  EngineController* engine_ = nullptr;
  StoreReader* reader_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  ObjectiveDesigner* designer_ = nullptr;
  RunSetup* setup_ = nullptr;
  Dashboard* dashboard_ = nullptr;
  LmHeadView* lmhead_ = nullptr;
  SamplesView* samples_ = nullptr;
  HistoryBrowser* history_ = nullptr;
  CompareView* compare_ = nullptr;
  PresetCards* presets_ = nullptr;
  QAction* start_ = nullptr;
  QAction* stop_ = nullptr;
  QAction* pause_ = nullptr;

 public:
  /// The toolbar's Pause/Resume action (tests).
  QAction* pauseAction() const { return pause_; }
  /// The open guided tour, or nullptr.
  RunTour* tour() const { return tour_; }

 private:
  QLabel* step_label_ = nullptr;
  QLabel* speed_label_ = nullptr;
  QLabel* eta_label_ = nullptr;
  QLabel* run_label_ = nullptr;
  QTimer poll_;
  QElapsedTimer clock_;
  qint64 shown_run_ = -1;
  bool shown_is_live_ = false;      ///< the shown run is the one this window's engine drives
  bool shown_was_running_ = false;  ///< the shown (store-followed) run was running at the last poll
  qint64 last_step_ = 0;
  qint64 last_snapshot_step_ = 0;
  qint64 total_steps_ = 0;
  qint64 steps_this_session_ = 0;
  bool interactive_ = true;
  QString last_error_;
  QString pending_name_;  ///< the name of the run being started, until History lists it
  QPointer<RunTour> tour_;
};

}  // namespace dpg::ui
