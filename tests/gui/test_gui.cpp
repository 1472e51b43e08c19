// SPDX-License-Identifier: MIT
// The workbench GUI, offscreen (QT_QPA_PLATFORM=offscreen):
//   ctest -R '^gui$' --output-on-failure        or        build/bin/test_gui <function>
// Designer edits give exact bitmaps (with undo/redo), a designer QR code decodes with zbar, a tiny
// live run fills the dashboard and the heatmap, history survives a restart, compare shows 2 runs.
#include "core/config/presets.h"
#include "core/objective/bitmap.h"
#include "core/objective/lmhead_bitmap.h"
#include "ui/compare_view.h"
#include "ui/dashboard.h"
#include "ui/designer/bitmap_canvas.h"
#include "ui/designer/objective_designer.h"
#include "ui/engine_controller.h"
#include "ui/history_browser.h"
#include "ui/revalidate_dialog.h"
#include "ui/image_util.h"
#include "ui/lmhead_view.h"
#include "ui/main_window.h"
#include "ui/run_setup.h"
#include "ui/credit_text.h"
#include "ui/samples_view.h"
#include "ui/store_reader.h"
#include "ui/smoothing.h"
#include "tests/common/test_paths.h"

#include <zbar.h>

#include <algorithm>

#include <QElapsedTimer>
#include <QProcess>
#include <QPushButton>
#include <QTableView>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include <cmath>
#include <limits>

using dpg::objective::Bitmap;
using namespace dpg::ui;

namespace {

std::vector<std::string> zbar_decode(const Bitmap& b) {
  using namespace zbar;
  const int scale = 4, border = 4;
  const int w = (b.cols() + 2 * border) * scale, h = (b.rows() + 2 * border) * scale;
  std::vector<unsigned char> grey(size_t(w) * size_t(h), 255);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int r = y / scale - border, c = x / scale - border;
      if (r >= 0 && c >= 0 && r < b.rows() && c < b.cols() && b.dark(r, c)) grey[size_t(y * w + x)] = 0;
    }
  zbar_image_scanner_t* scanner = zbar_image_scanner_create();
  zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 1);
  zbar_image_t* image = zbar_image_create();
  zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
  zbar_image_set_size(image, unsigned(w), unsigned(h));
  zbar_image_set_data(image, grey.data(), grey.size(), nullptr);
  zbar_scan_image(scanner, image);
  std::vector<std::string> out;
  for (const zbar_symbol_t* s = zbar_image_first_symbol(image); s; s = zbar_symbol_next(s))
    if (zbar_symbol_get_type(s) == ZBAR_QRCODE) out.emplace_back(zbar_symbol_get_data(s));
  zbar_image_destroy(image);
  zbar_image_scanner_destroy(scanner);
  return out;
}

void mouse(QWidget* w, QEvent::Type type, QPoint pos, Qt::MouseButton button, Qt::MouseButtons buttons) {
  QMouseEvent e(type, QPointF(pos), QPointF(w->mapToGlobal(pos)), button, buttons, Qt::NoModifier);
  QCoreApplication::sendEvent(w, &e);
}

/// A stroke from cell a to cell b through the cells between (one row or one column).
void drag(BitmapCanvas* canvas, std::pair<int, int> a, std::pair<int, int> b, Qt::MouseButton button) {
  mouse(canvas, QEvent::MouseButtonPress, canvas->cellCenter(a.first, a.second), button, button);
  const int n = std::max(std::abs(b.first - a.first), std::abs(b.second - a.second));
  for (int i = 1; i <= n; ++i) {
    const int r = a.first + (b.first - a.first) * i / n, c = a.second + (b.second - a.second) * i / n;
    mouse(canvas, QEvent::MouseMove, canvas->cellCenter(r, c), Qt::NoButton, button);
  }
  mouse(canvas, QEvent::MouseButtonRelease, canvas->cellCenter(b.first, b.second), button, Qt::NoButton);
}

/// A short run of the default preset: tiny models, few steps, validated and snapshotted every step.
dpg::config::RunConfig tinyConfig(int steps, uint64_t seed) {
  auto cfg = dpg::config::load_preset(dpg::config::kDefaultPreset);
  cfg.apply_override("grpo.steps=" + std::to_string(steps));
  cfg.apply_override("validation.every=1");
  cfg.apply_override("snapshot_every=1");
  cfg.apply_override("checkpoint_every=0");
  cfg.seed = seed;
  cfg.name = "gui test " + std::to_string(seed);
  return cfg;
}

}  // namespace

class TestGui : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName(QStringLiteral("dpg-workbench-tests"));
    QVERIFY(db_dir_.isValid());
    db_ = db_dir_.filePath(QStringLiteral("runs.db"));
  }

  void smoothing_constant() {
    const auto s = smooth(std::vector<double>(20, 3.5), 0.6);
    for (double v : s) QVERIFY(std::abs(v - 3.5) < 1e-12);
  }
  void smoothing_nan_passthrough() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto s = smooth({1.0, nan, 1.0, std::numeric_limits<double>::infinity()}, 0.9);
    QCOMPARE(s[0], 1.0);
    QVERIFY(std::isnan(s[1]));
    QVERIFY(std::abs(s[2] - 1.0) < 1e-12);
    QVERIFY(std::isinf(s[3]));
  }
  void smoothing_weight_zero_is_identity() {
    const std::vector<double> ys{1, 5, -2, 8};
    QCOMPARE(smooth(ys, 0.0), ys);
  }
  void smoothing_max_weight_is_clamped() {
    // At weight 1 a debiased EMA would be flat at 0; it is clamped below 1 instead.
    const auto s = smooth({2.0, 4.0, 6.0}, 1.0);
    QCOMPARE(s[0], 2.0);
    QVERIFY(s[2] > 2.0 && s[2] < 6.0);
    QCOMPARE(smooth({2.0, 4.0, 6.0}, 1.0), smooth({2.0, 4.0, 6.0}, kMaxSmoothing));
  }

  void designer_edits_and_undo() {
    ObjectiveDesigner d;
    d.resize(900, 700);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    d.resizeGrid(3, 4);
    d.clearGrid();
    QCOMPARE(d.bitmap(), Bitmap(3, 4));
    auto* canvas = d.canvas();
    drag(canvas, {0, 0}, {0, 2}, Qt::LeftButton);
    QCOMPARE(d.bitmap(), Bitmap::from_strings({"###.", "....", "...."}));
    drag(canvas, {0, 3}, {2, 3}, Qt::LeftButton);
    QCOMPARE(d.bitmap(), Bitmap::from_strings({"####", "...#", "...#"}));
    drag(canvas, {0, 1}, {0, 2}, Qt::RightButton);  // right-drag erases
    QCOMPARE(d.bitmap(), Bitmap::from_strings({"#..#", "...#", "...#"}));
    d.invert();
    QCOMPARE(d.bitmap(), Bitmap::from_strings({".##.", "###.", "###."}));
    auto* undo = d.undoStack();
    undo->undo();
    QCOMPARE(d.bitmap(), Bitmap::from_strings({"#..#", "...#", "...#"}));
    undo->undo();
    QCOMPARE(d.bitmap(), Bitmap::from_strings({"####", "...#", "...#"}));
    undo->undo();
    QCOMPARE(d.bitmap(), Bitmap::from_strings({"###.", "....", "...."}));
    undo->redo();
    undo->redo();
    undo->redo();
    QCOMPARE(d.bitmap(), Bitmap::from_strings({".##.", "###.", "###."}));
    d.loadSixtySeven();
    QCOMPARE(d.bitmap(), dpg::objective::sixty_seven());
    undo->undo();
    QCOMPARE(d.bitmap(), Bitmap::from_strings({".##.", "###.", "###."}));
    // The designed bitmap becomes lmhead_bitmap parameters in the core's own format.
    const auto p = d.objectiveParams();
    QCOMPARE(p["source"].get<std::string>(), std::string("bitmap"));
    QCOMPARE(Bitmap::from_strings(p["bits"].get<std::vector<std::string>>()), d.bitmap());
  }

  void designer_validates_patch() {
    ObjectiveDesigner d;
    d.makeQr(QStringLiteral("x"), 'L', 1);
    d.setTargetDims(256, 16, QStringLiteral("tiny"));
    QCOMPARE(d.validationMessage(), QStringLiteral("patch needs 21 hidden dims; this target has 16"));
    d.setTargetDims(256, 32, QStringLiteral("tiny"));
    QVERIFY(d.validationMessage().isEmpty());
  }

  void designer_keeps_focus() {
    // "Use in run" rewrites objective.params from the designer: a loaded focus must survive it.
    ObjectiveDesigner d;
    const auto focus = nlohmann::json::array({{2, 2, 5.0}, {0, 1, 3.0}});
    d.setObjectiveParams({{"source", "67"}, {"dim_offset", 10}, {"focus", focus}});
    QCOMPARE(d.focusCount(), 2);
    auto p = d.objectiveParams();
    QCOMPARE(p["focus"], focus);
    QCOMPARE(p["dim_offset"].get<int>(), 10);
    QVERIFY(d.validationMessage().isEmpty());
    // The parameters build the same image, and the core accepts the focus.
    QCOMPARE(dpg::objective::LmHeadBitmapObjective::target_from_params(p), dpg::objective::sixty_seven());
    QCOMPARE(dpg::objective::LmHeadBitmapObjective::create(p)->options().focus.size(), size_t(2));
    // A smaller grid leaves a focus pixel outside: an inline error in the core's words, not a silent drop.
    d.resizeGrid(2, 7);
    QCOMPARE(d.validationMessage(), QStringLiteral("focus: [2,2,5.0] is not a pixel of the 2x7 image"));
    d.undoStack()->undo();
    QVERIFY(d.validationMessage().isEmpty());
    // A focus the loaded image cannot hold is refused with the same reason, and nothing changes.
    d.setObjectiveParams({{"source", "bitmap"}, {"bits", {"#.", ".#"}}, {"focus", {{5, 0, 2.0}}}});
    QCOMPARE(d.bitmap(), dpg::objective::sixty_seven());
    QCOMPARE(d.focusCount(), 2);
    // One undo step takes back the whole load, image and focus together.
    d.undoStack()->undo();
    QCOMPARE(d.focusCount(), 0);
    d.undoStack()->redo();
    QCOMPARE(d.focusCount(), 2);
    // Loading parameters without a focus clears it.
    d.setObjectiveParams({{"source", "67"}});
    QCOMPARE(d.focusCount(), 0);
    QVERIFY(!d.objectiveParams().contains("focus"));
  }

  void designer_edits_focus() {
    // The Focus tool: a click weights a pixel, a second click or a right click removes it; each click is undoable.
    ObjectiveDesigner d;
    d.resize(900, 600);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    auto* canvas = d.canvas();
    const auto before = d.bitmap();
    // F picks the Focus tool while the keyboard focus is in the designer.
    d.activateWindow();
    canvas->setFocus();
    QTRY_VERIFY(canvas->hasFocus());
    QTest::keyClick(canvas, Qt::Key_F);
    QCOMPARE(canvas->tool(), BitmapCanvas::Tool::Focus);
    canvas->setFocusWeight(4.0);
    QTest::mouseClick(canvas, Qt::LeftButton, {}, canvas->cellCenter(1, 3));
    QCOMPARE(d.objectiveParams()["focus"], nlohmann::json::array({{1, 3, 4.0}}));
    QCOMPARE(d.bitmap(), before);  // the focus tool never paints
    canvas->setFocusWeight(2.5);
    QTest::mouseClick(canvas, Qt::LeftButton, {}, canvas->cellCenter(4, 0));
    QTest::mouseClick(canvas, Qt::LeftButton, {}, canvas->cellCenter(1, 3));  // another weight: re-weights
    QCOMPARE(d.objectiveParams()["focus"], nlohmann::json::array({{1, 3, 2.5}, {4, 0, 2.5}}));
    QTest::mouseClick(canvas, Qt::LeftButton, {}, canvas->cellCenter(1, 3));  // same weight: removes
    QTest::mouseClick(canvas, Qt::RightButton, {}, canvas->cellCenter(4, 0));
    QCOMPARE(d.focusCount(), 0);
    QVERIFY(!d.objectiveParams().contains("focus"));
    d.undoStack()->undo();
    d.undoStack()->undo();
    QCOMPARE(d.objectiveParams()["focus"], nlohmann::json::array({{1, 3, 2.5}, {4, 0, 2.5}}));
    d.clearFocus();
    QCOMPARE(d.focusCount(), 0);
    d.undoStack()->undo();
    QCOMPARE(d.focusCount(), 2);
    // The weights reach the objective: Φ is the weighted mean (checked numerically in test_plugins).
    const auto o = dpg::objective::LmHeadBitmapObjective::create(d.objectiveParams());
    QCOMPARE(dpg::objective::focus_weight(o->options().focus, 4, 0), 2.5);
  }

  void designer_png_roundtrip() {
    ObjectiveDesigner d;
    d.loadSixtySeven();
    const QString f = db_dir_.filePath(QStringLiteral("t.png"));
    d.exportPng(f, 5);
    d.clearGrid();
    d.importPng(f);
    QCOMPARE(d.bitmap().resampled(dpg::objective::sixty_seven().rows(), dpg::objective::sixty_seven().cols()),
             dpg::objective::sixty_seven());
  }

  void designer_qr_decodes_with_zbar() {
    ObjectiveDesigner d;
    for (char ec : {'L', 'M', 'H'}) {
      const QString text = QStringLiteral("dpg workbench %1").arg(QLatin1Char(ec));
      d.makeQr(text, ec, 3);
      QCOMPARE(d.bitmap().rows(), 29);
      const auto decoded = zbar_decode(d.bitmap());
      QCOMPARE(decoded.size(), size_t(1));
      QCOMPARE(QString::fromStdString(decoded[0]), text);
    }
  }

  void lmhead_view_marks_wrong_pixels() {
    // The sign image counts and frames the pixels whose sign differs from Y (a zero change counts as wrong, as
    // in the pixel-accuracy metric).
    LmHeadView v;
    v.resize(900, 300);
    v.show();
    QCOMPARE(v.wrongPixels(), -1);
    const auto y = dpg::objective::sixty_seven().to_image();
    dpg::ui::SnapshotSet set;
    set.step = 5;
    set.target = y;
    set.sign = y;
    set.delta = y;
    v.addSnapshot(set);
    QCOMPARE(v.wrongPixels(), 0);
    set.step = 10;
    set.sign.data[0] = -set.sign.data[0];  // pixel (0, 0) flipped
    set.sign.data[8] = 0.0f;                // pixel (1, 1) unchanged
    v.addSnapshot(set);
    QCOMPARE(v.wrongPixels(), 2);
    const auto wrong = dpg::ui::sign_mismatches(set.sign, y);
    QCOMPARE(wrong, (std::vector<std::pair<int, int>>{{0, 0}, {1, 1}}));
    v.showStep(5);
    QCOMPARE(v.wrongPixels(), 0);
    // Without a ±1 target of the same shape there is nothing to count.
    QVERIFY(dpg::ui::sign_mismatches(set.sign, dpg::engine::Image{}).empty());
  }

  void samples_view_shows_byte_credit() {
    // The colours: white at 0, the heatmap's red and blue at ±scale, halfway between at half.
    QCOMPARE(dpg::ui::credit_colour(0.0, 1.0), QStringLiteral("#ffffff"));
    QCOMPARE(dpg::ui::credit_colour(2.0, 2.0), QStringLiteral("#b2182b"));
    QCOMPARE(dpg::ui::credit_colour(-5.0, 2.0), QStringLiteral("#2166ac"));  // clipped at full colour
    QCOMPARE(dpg::ui::credit_colour(0.5, 1.0), QStringLiteral("#d98c95"));
    // One span per character: "é" is two bytes whose τ add up; the newline past byte_tau is grey.
    const auto html = dpg::ui::credit_html("a\xc3\xa9<\n", {-1.0f, 0.25f, 0.25f, 0.5f}, 1.0);
    QCOMPARE(html.count(QStringLiteral("<span style=\"background-color")), 3);
    QVERIFY2(html.contains(QStringLiteral("#2166ac; color: #ffffff\">a<")), qPrintable(html));
    QVERIFY(html.contains(QStringLiteral("#d98c95; color: #000000\">é<")));
    QVERIFY(html.contains(QStringLiteral("&lt;")));
    QVERIFY(html.contains(QStringLiteral("color: #999999\">↵<br>")));

    dpg::ui::SamplesView v;
    v.resize(900, 500);
    v.show();
    dpg::engine::Sample credited{0, "Once", " upon", 2.0, 1.0, {0.0f, 1.0f, -2.0f, 0.5f, 0.5f}};
    dpg::engine::Sample plain{1, "Twice", " more", -1.0, -1.0, {}};
    v.setSamples(7, {plain, credited});
    QCOMPARE(v.rowCount(), 2);
    // The highest τ comes first and is shown at once, scaled to its largest |τ_ij| = 2.
    QVERIFY2(v.detailHtml().contains(QStringLiteral("#2166ac")) && v.detailHtml().contains(QStringLiteral("Once")),
             qPrintable(v.detailHtml()));
    v.table()->setCurrentIndex(v.table()->model()->index(1, dpg::ui::SamplesModel::Response));
    QVERIFY(v.detailHtml().contains(QStringLiteral("Twice")));
    QVERIFY(v.detailHtml().contains(QStringLiteral("grpo.credit")));
  }

  void lmhead_view_switches_image_source() {
    // Steps 5 and 15 store only their training run's images; step 10 stores both, with a validation image that
    // has 3 wrong pixels where the training image has 1. The source choice decides which the slider runs over
    // and which image is shown and counted, and the caption says which.
    LmHeadView v;
    v.resize(900, 300);
    v.show();
    const auto y = dpg::objective::sixty_seven().to_image();
    auto flipped = [&](int n) {
      auto img = y;
      for (int i = 0; i < n; ++i) img.data[size_t(i)] = -img.data[size_t(i)];
      return img;
    };
    for (int64_t step : {5, 10, 15}) {
      dpg::ui::SnapshotSet set;
      set.step = step;
      set.target = y;
      set.sign = set.delta = flipped(1);
      if (step == 10) set.val_sign = set.val_delta = flipped(3);
      v.addSnapshot(set);
    }
    QCOMPARE(v.source(), LmHeadView::Source::PreferValidation);
    QCOMPARE(v.shownSteps(), (std::vector<int64_t>{5, 10, 15}));
    v.showStep(10);
    QCOMPARE(v.wrongPixels(), 3);
    QVERIFY2(v.signCaption().contains(QStringLiteral("validation: 39 of 42")), qPrintable(v.signCaption()));

    v.setSource(LmHeadView::Source::Training);
    QCOMPARE(v.currentStep(), int64_t(10));  // stays on the step it showed
    QCOMPARE(v.wrongPixels(), 1);
    QVERIFY2(v.signCaption().contains(QStringLiteral("training: 41 of 42")), qPrintable(v.signCaption()));

    v.setSource(LmHeadView::Source::Validation);
    QCOMPARE(v.shownSteps(), (std::vector<int64_t>{10}));
    QCOMPARE(v.currentStep(), int64_t(10));
    QCOMPARE(v.wrongPixels(), 3);
    v.showStep(12);  // past the last validation: nothing to move to
    QCOMPARE(v.currentStep(), int64_t(10));

    // A new validation step is followed, since the view was on the newest one.
    dpg::ui::SnapshotSet set;
    set.step = 20;
    set.sign = set.delta = flipped(1);
    set.val_sign = set.val_delta = y;
    v.addSnapshot(set);
    QCOMPARE(v.shownSteps(), (std::vector<int64_t>{10, 20}));
    QCOMPARE(v.currentStep(), int64_t(20));
    QCOMPARE(v.wrongPixels(), 0);  // Y came with step 5 and is kept for steps without it
  }

  void config_diff() {
    const auto diff = CompareView::configDiff({nlohmann::json{{"a", 1}, {"b", {{"c", 2}, {"d", 3}}}},
                                               nlohmann::json{{"a", 1}, {"b", {{"c", 5}, {"d", 3}}}}});
    QCOMPARE(diff.size(), size_t(1));
    QCOMPARE(diff[0].first, std::string("b.c"));
  }

  void live_run_updates_dashboard_and_heatmap() {
    MainWindow w(db_);
    w.setInteractive(false);
    w.resize(1300, 850);
    w.show();
    w.runSetup()->setConfig(tinyConfig(3, 0));
    w.startRun();
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    QTRY_VERIFY_WITH_TIMEOUT(w.dashboard()->pointCount() >= 1 || !w.lastError().isEmpty(), 300000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    QTRY_VERIFY_WITH_TIMEOUT(w.dashboard()->plottedPoints() >= 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(w.lmHead()->heatmapCells() > 0, 300000);
    QTRY_VERIFY_WITH_TIMEOUT(w.samples()->rowCount() > 0, 300000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.engine()->isRunning(), 600000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    QCOMPARE(w.dashboard()->pointCount(), 3);
    QCOMPARE(w.dashboard()->metricTitle(), QStringLiteral("Pixel accuracy"));  // the objective's metric
    QVERIFY(w.lmHead()->snapshotCount() >= 1);
    run_ids_ << w.engine()->runId();

    // A second, different run for the history and compare tests; stop it early.
    w.runSetup()->setConfig(tinyConfig(40, 7));
    w.startRun();
    QTRY_VERIFY_WITH_TIMEOUT(w.dashboard()->pointCount() >= 1 || !w.lastError().isEmpty(), 300000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    QElapsedTimer t;
    t.start();
    w.stopRun();
    QTRY_VERIFY_WITH_TIMEOUT(!w.engine()->isRunning(), 60000);
    qInfo("stop took %lld ms", static_cast<long long>(t.elapsed()));
    QVERIFY(t.elapsed() < 15000);
    run_ids_ << w.engine()->runId();
  }

  void history_after_restart_and_compare() {
    if (run_ids_.size() < 2) QSKIP("needs the live run test");
    MainWindow w(db_);
    w.setInteractive(false);
    w.show();
    auto* model = w.history()->model();
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() == 2, 10000);
    QVERIFY(model->runs()[0].status == dpg::store::RunStatus::Done);
    QVERIFY(model->runs()[1].status == dpg::store::RunStatus::Stopped);
    {
      const auto tip = model->data(model->index(0, dpg::ui::RunsModel::BestMetric), Qt::ToolTipRole).toString();
      QVERIFY2(tip.startsWith(QStringLiteral("Best validation pixel accuracy: ")), qPrintable(tip));
    }
    w.history()->selectRuns(run_ids_);
    QCOMPARE(w.history()->selectedRunIds().size(), 2);
    w.compareRuns(run_ids_);
    QTRY_COMPARE_WITH_TIMEOUT(w.compareView()->runCount(), 2, 10000);
    QCOMPARE(w.compareView()->curveCount(), 2);
    QCOMPARE(w.compareView()->curveName(), QStringLiteral("Pixel accuracy (train)"));
    QVERIFY(w.compareView()->diffRows() >= 2);  // name, seed, steps differ
    // Each run's newest sign image (here a validation's: validation.every = 1) is counted against Y, which the
    // store holds once, at step 1; counted again here straight from the stored snapshots. Then the same with
    // "Training runs only": each run's newest training-run sign image.
    auto st = dpg::store::RunStore::open(db_.toStdString(), true);
    const auto checkWrongPixels = [&](const std::string& kind) {
      const auto wrong = w.compareView()->wrongPixels();
      size_t longest = 0;  // the finished run has a snapshot after step 1, so Y comes from another step there
      for (size_t k = 0; k < run_ids_.size(); ++k) {
        const auto steps = st.snapshot_steps(run_ids_[int(k)]);
        QVERIFY(!steps.empty());
        longest = std::max(longest, steps.size());
        dpg::engine::Image y, sign;
        for (const auto& snap : st.snapshots(run_ids_[int(k)], steps.front()))
          if (snap.kind == "target") y = snap.image;
        for (auto it = steps.rbegin(); it != steps.rend() && sign.empty(); ++it)
          for (const auto& snap : st.snapshots(run_ids_[int(k)], *it))
            if (snap.kind == kind) sign = snap.image;
        QCOMPARE(int(y.data.size()), 42);
        QCOMPARE(int(sign.data.size()), 42);
        int expected = 0;
        for (size_t p = 0; p < 42; ++p) expected += (sign.data[p] > 0) != (y.data[p] > 0) || sign.data[p] == 0.0f;
        QCOMPARE(wrong[k], expected);
      }
      QVERIFY(longest >= 2);
    };
    QVERIFY(w.compareView()->imageSource() == dpg::ui::ImageSource::PreferValidation);
    QVERIFY(w.compareView()->shownValidation() == std::vector<bool>(2, true));
    checkWrongPixels("val_sign");
    if (QTest::currentTestFailed()) return;
    w.compareView()->setImageSource(dpg::ui::ImageSource::Training);
    QTRY_VERIFY_WITH_TIMEOUT(w.compareView()->shownValidation() == std::vector<bool>(2, false), 10000);
    checkWrongPixels("sign");
    if (QTest::currentTestFailed()) return;
    // Re-validating the finished run's last checkpoint with its own settings repeats its stored validation.
    {
      auto* d = w.revalidateRun(run_ids_[0]);
      QVERIFY(d);
      // The step list offers exactly the steps with a stored checkpoint, and keeps the best step selected.
      QTRY_VERIFY_WITH_TIMEOUT(!d->isLoadingCheckpoints(), 10000);
      {
        auto st = dpg::store::RunStore::open(db_.toStdString(), true);
        QList<qint64> expected;
        for (const auto& ck : st.checkpoints(run_ids_[0])) expected << ck.step;
        std::sort(expected.begin(), expected.end());
        QVERIFY(!expected.isEmpty());
        QCOMPARE(d->checkpointSteps(), expected);
      }
      d->start();
      QVERIFY(d->isBusy());
      QTRY_VERIFY_WITH_TIMEOUT(!d->isBusy(), 300000);
      QVERIFY2(d->summary().contains(QStringLiteral("The run's own validation of this step: pixel accuracy")) &&
                   d->summary().contains(QStringLiteral("Mean pixel accuracy")),
               qPrintable(d->summary()));
      auto st = dpg::store::RunStore::open(db_.toStdString(), true);
      const auto steps = st.steps(run_ids_[0]);
      QCOMPARE(QString::number(d->meanMetric(), 'f', 6), QString::number(steps.back().val_metric, 'f', 6));
      d->close();
    }
    // Opening a stored run loads its curves and images.
    w.dashboard()->setMetricName({});
    QCOMPARE(w.dashboard()->metricTitle(), QStringLiteral("Readable metric"));
    w.openRun(run_ids_[0]);
    QTRY_COMPARE_WITH_TIMEOUT(w.dashboard()->pointCount(), 3, 10000);
    QCOMPARE(w.dashboard()->metricTitle(), QStringLiteral("Pixel accuracy"));  // from the stored run
    QTRY_VERIFY_WITH_TIMEOUT(w.lmHead()->heatmapCells() > 0, 10000);

    // File › Export › Samples writes the shown run's samples as JSON Lines, one a line, from the store reader's
    // thread; each line matches the stored sample. A path that cannot be written gives an error message.
    {
      QSignalSpy done(w.reader(), &dpg::ui::StoreReader::samplesExported);
      const QString path = db_dir_.filePath(QStringLiteral("samples.jsonl"));
      w.exportSamplesTo(path);
      QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
      auto st = dpg::store::RunStore::open(db_.toStdString(), true);
      std::vector<dpg::engine::Sample> stored;
      std::vector<int64_t> storedSteps;
      for (const auto& m : st.steps(run_ids_[0]))
        for (auto& smp : st.samples(run_ids_[0], m.step)) {
          stored.push_back(std::move(smp));
          storedSteps.push_back(m.step);
        }
      QVERIFY(!stored.empty());
      QCOMPARE(done.front().at(2).toLongLong(), qint64(stored.size()));
      QFile f(path);
      QVERIFY(f.open(QIODevice::ReadOnly));
      const QList<QByteArray> lines = f.readAll().split('\n');
      QCOMPARE(lines.size(), int(stored.size()) + 1);  // the last line ends with '\n'
      for (size_t k = 0; k < stored.size(); ++k) {
        const auto j = nlohmann::json::parse(lines[int(k)].toStdString());
        QCOMPARE(j.at("step").get<int64_t>(), storedSteps[k]);
        QCOMPARE(j.at("index").get<int64_t>(), int64_t(stored[k].index));
        QCOMPARE(j.at("tau").get<double>(), stored[k].tau);
        QCOMPARE(j.at("advantage").get<double>(), stored[k].advantage);
        if (!j.contains("response_bytes")) QCOMPARE(j.at("response").get<std::string>(), stored[k].response);
      }
      w.exportSamplesTo(db_dir_.filePath(QStringLiteral("no-such-dir/samples.jsonl")));
      QTRY_VERIFY_WITH_TIMEOUT(w.lastError().startsWith(QStringLiteral("Could not export the samples: ")), 10000);
      QVERIFY2(w.lastError().contains(QStringLiteral("no-such-dir")), qPrintable(w.lastError()));
    }
  }

  /// History › Resume continues the stopped run in this window's engine (a new window, so the engine has never
  /// seen it) from its checkpoint and shows it live; a finished run cannot be resumed. History › Use Config puts a
  /// stored run's config into the run setup.
  void history_resumes_a_stopped_run_and_reuses_a_config() {
    if (run_ids_.size() < 2) QSKIP("needs the live run test");
    MainWindow w(db_);
    w.setInteractive(false);
    w.show();
    QTRY_VERIFY_WITH_TIMEOUT(w.history()->model()->rowCount() == 2, 10000);
    const auto button = [&](const QString& text) {
      for (auto* b : w.history()->findChildren<QPushButton*>())
        if (b->text() == text) return b;
      return static_cast<QPushButton*>(nullptr);
    };
    QVERIFY(button(QStringLiteral("Resume")) && button(QStringLiteral("Use Config")));
    w.history()->selectRuns({run_ids_[0]});  // done
    QVERIFY(!button(QStringLiteral("Resume"))->isEnabled());
    QVERIFY(button(QStringLiteral("Use Config"))->isEnabled());
    w.history()->selectRuns({run_ids_[1]});  // stopped
    QVERIFY(button(QStringLiteral("Resume"))->isEnabled());

    auto st = dpg::store::RunStore::open(db_.toStdString(), true);
    const int64_t before = st.steps(run_ids_[1]).back().step;
    QSignalSpy started(w.engine(), &dpg::ui::EngineController::runStarted);
    button(QStringLiteral("Resume"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 60000);
    QCOMPARE(started.front().at(0).toLongLong(), run_ids_[1]);
    const qint64 first = started.front().at(1).toLongLong();
    QVERIFY2(first >= 2 && first <= before + 1, qPrintable(QStringLiteral("first %1, stored %2").arg(first).arg(before)));
    QCOMPARE(w.shownRun(), run_ids_[1]);
    // The steps before the resumed one come back from the store; the new ones arrive live, in order.
    QTRY_VERIFY_WITH_TIMEOUT(w.dashboard()->pointCount() >= int(first) || !w.lastError().isEmpty(), 300000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    w.stopRun();
    QTRY_VERIFY_WITH_TIMEOUT(!w.engine()->isRunning(), 60000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    const auto steps = st.steps(run_ids_[1]);
    QVERIFY(steps.back().step >= first);
    for (size_t k = 0; k < steps.size(); ++k) QCOMPARE(steps[k].step, int64_t(k + 1));  // no gap, no repeat
    QCOMPARE(w.dashboard()->pointCount(), int(steps.size()));

    // Use Config: the run setup now holds the finished run's stored config.
    w.history()->selectRuns({run_ids_[0]});
    button(QStringLiteral("Use Config"))->click();
    const auto stored = nlohmann::json::parse(st.run(run_ids_[0])->config_json);
    QCOMPARE(w.runSetup()->config().to_json(), stored);
    QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::DesignTab));
  }

  /// A run started from a terminal with `dpg run` shows up in History as running, and opening it follows its
  /// curves, LM-head images and samples live from the store while the CLI process keeps writing.
  void watches_a_cli_run_live() {
    const QString db = db_dir_.filePath(QStringLiteral("cli.db"));
    QProcess cli;
    cli.setProcessChannelMode(QProcess::MergedChannels);
    cli.start(dpg::test::bin_dir() + QStringLiteral("/dpg"),
              {QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("67-tiny"), QStringLiteral("--set"),
               QStringLiteral("grpo.steps=10"), QStringLiteral("--set"), QStringLiteral("grpo.prompts_per_step=4"),
               QStringLiteral("--set"), QStringLiteral("grpo.minibatch_prompts=4"),
               QStringLiteral("--set"), QStringLiteral("validation.every=1"), QStringLiteral("--set"),
               QStringLiteral("snapshot_every=1"), QStringLiteral("--set"), QStringLiteral("name=from the terminal"),
               QStringLiteral("--db"), db, QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY(cli.waitForStarted(10000));
    MainWindow w(db);
    w.setInteractive(false);
    w.resize(1300, 850);
    w.show();
    auto* model = w.history()->model();
    auto cliFailed = [&cli] { return cli.state() == QProcess::NotRunning && cli.exitCode() != 0; };
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() == 1 || cliFailed(), 120000);
    QVERIFY2(!cliFailed(), cli.readAll().constData());
    QTRY_VERIFY_WITH_TIMEOUT(model->runs()[0].status == dpg::store::RunStatus::Running, 120000);
    QCOMPARE(QString::fromStdString(model->runs()[0].name), QStringLiteral("from the terminal"));
    const qint64 id = model->runs()[0].id;
    w.openRun(id);
    QTRY_VERIFY_WITH_TIMEOUT(w.dashboard()->pointCount() >= 1, 120000);
    const int first = w.dashboard()->pointCount();
    QVERIFY2(cli.state() == QProcess::Running, "the CLI run finished before the window could follow it");
    // Points keep arriving while the CLI writes: the window follows the store, not a snapshot of it.
    QTRY_VERIFY_WITH_TIMEOUT(w.dashboard()->pointCount() > first, 120000);
    QTRY_VERIFY_WITH_TIMEOUT(w.lmHead()->heatmapCells() > 0, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(w.samples()->rowCount() > 0, 60000);
    QVERIFY(cli.waitForFinished(300000));
    QVERIFY2(cli.exitCode() == 0, cli.readAll().constData());
    QTRY_COMPARE_WITH_TIMEOUT(w.dashboard()->pointCount(), 10, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(model->runs()[0].status == dpg::store::RunStatus::Done, 10000);
  }

  /// An engine error (here a diverging inner lr: non-finite loss) reaches the window as a message, the
  /// worker stops, the app keeps running, and the store marks the run failed with the reason.
  void engine_error_marks_run_failed() {
    const QString db = db_dir_.filePath(QStringLiteral("fail.db"));
    MainWindow w(db);
    w.setInteractive(false);
    w.show();
    auto cfg = tinyConfig(3, 1);
    cfg.apply_override("inner.lr=1e30");
    w.runSetup()->setConfig(cfg);
    w.startRun();
    QTRY_VERIFY_WITH_TIMEOUT(!w.lastError().isEmpty(), 300000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.engine()->isRunning(), 60000);
    qInfo("engine error shown: %s", qPrintable(w.lastError()));
    auto* model = w.history()->model();
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() == 1 && model->runs()[0].status == dpg::store::RunStatus::Failed,
                             10000);
    QVERIFY(!model->runs()[0].status_message.empty());
  }

 private:
  QTemporaryDir db_dir_;
  QString db_;
  QList<qint64> run_ids_;
};

QTEST_MAIN(TestGui)
#include "test_gui.moc"
