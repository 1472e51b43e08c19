// SPDX-License-Identifier: MIT
// The workbench's widgets one at a time, offscreen (QT_QPA_PLATFORM=offscreen):
//   ctest -R '^widgets$' --output-on-failure        or        build/bin/test_widgets <function>
// Smoothing, designer edits give exact bitmaps (with undo/redo), a designer QR code decodes with
// zbar, the LM-head view marks wrong pixels, switches image source and says whether a QR sign image
// scans, byte credit in the samples view, the dashboard keeps steps in order, the compare view's
// config diff, and the Continue dialog's live check. The main window's flows are in tests/gui.
#include "core/config/run_config.h"
#include "core/objective/bitmap.h"
#include "plugins/objectives/lmhead_bitmap/lmhead_bitmap.h"
#include "plugins/objectives/lmhead_bitmap/qr_damage.h"
#include "plugins/objectives/lmhead_bitmap/qr_scan.h"
#include "ui/compare_view.h"
#include "ui/continue_dialog.h"
#include "ui/credit_text.h"
#include "ui/dashboard.h"
#include "ui/designer/bitmap_canvas.h"
#include "ui/designer/objective_designer.h"
#include "ui/history_browser.h"
#include "ui/image_util.h"
#include "ui/lmhead_view.h"
#include "ui/samples_view.h"
#include "ui/smoothing.h"
#include "ui/store_reader.h"

#include <algorithm>

#include <qcustomplot.h>

#include <QMouseEvent>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include <cmath>
#include <limits>

using dpg::objective::Bitmap;
using namespace dpg::ui;

namespace {

void mouse(QWidget* w, QEvent::Type type, QPoint pos, Qt::MouseButton button,
           Qt::MouseButtons buttons) {
  QMouseEvent e(type, QPointF(pos), QPointF(w->mapToGlobal(pos)), button, buttons, Qt::NoModifier);
  QCoreApplication::sendEvent(w, &e);
}

/// A stroke from cell a to cell b through the cells between (one row or one column).
void drag(BitmapCanvas* canvas, std::pair<int, int> a, std::pair<int, int> b,
          Qt::MouseButton button) {
  mouse(canvas, QEvent::MouseButtonPress, canvas->cellCenter(a.first, a.second), button, button);
  const int n = std::max(std::abs(b.first - a.first), std::abs(b.second - a.second));
  for (int i = 1; i <= n; ++i) {
    const int r = a.first + (b.first - a.first) * i / n,
              c = a.second + (b.second - a.second) * i / n;
    mouse(canvas, QEvent::MouseMove, canvas->cellCenter(r, c), Qt::NoButton, button);
  }
  mouse(canvas, QEvent::MouseButtonRelease, canvas->cellCenter(b.first, b.second), button,
        Qt::NoButton);
}

}  // namespace

class TestWidgets : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName(
        QStringLiteral("dpg-workbench-tests"));  // not the user's settings
    QVERIFY(dir_.isValid());
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
    QCOMPARE(d.validationMessage(),
             QStringLiteral("patch needs 21 hidden dims; this target has 16"));
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
    QCOMPARE(dpg::objective::LmHeadBitmapObjective::target_from_params(p),
             dpg::objective::sixty_seven());
    QCOMPARE(dpg::objective::LmHeadBitmapObjective::create(p)->options().focus.size(), size_t(2));
    // A smaller grid leaves a focus pixel outside: an inline error in the core's words, not a
    // silent drop.
    d.resizeGrid(2, 7);
    QCOMPARE(d.validationMessage(),
             QStringLiteral("focus: [2,2,5.0] is not a pixel of the 2x7 image"));
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
    // The Focus tool: a click weights a pixel, a second click or a right click removes it; each
    // click is undoable.
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
    QTest::mouseClick(canvas, Qt::LeftButton, {},
                      canvas->cellCenter(1, 3));  // another weight: re-weights
    QCOMPARE(d.objectiveParams()["focus"], nlohmann::json::array({{1, 3, 2.5}, {4, 0, 2.5}}));
    QTest::mouseClick(canvas, Qt::LeftButton, {},
                      canvas->cellCenter(1, 3));  // same weight: removes
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
    // The weights reach the objective: Φ is the weighted mean (checked numerically in
    // test_plugins).
    const auto o = dpg::objective::LmHeadBitmapObjective::create(d.objectiveParams());
    QCOMPARE(dpg::objective::focus_weight(o->options().focus, 4, 0), 2.5);
  }

  void designer_png_roundtrip() {
    ObjectiveDesigner d;
    d.loadSixtySeven();
    const QString f = dir_.filePath(QStringLiteral("t.png"));
    d.exportPng(f, 5);
    d.clearGrid();
    d.importPng(f);
    QCOMPARE(d.bitmap().resampled(dpg::objective::sixty_seven().rows(),
                                  dpg::objective::sixty_seven().cols()),
             dpg::objective::sixty_seven());
  }

  void designer_qr_decodes_with_zbar() {
    ObjectiveDesigner d;
    for (char ec : {'L', 'M', 'H'}) {
      const QString text = QStringLiteral("dpg workbench %1").arg(QLatin1Char(ec));
      d.makeQr(text, ec, 3);
      QCOMPARE(d.bitmap().rows(), 29);
      const auto decoded = dpg::objective::scan_qr(d.bitmap());
      QCOMPARE(decoded.size(), size_t(1));
      QCOMPARE(QString::fromStdString(decoded[0]), text);
    }
  }

  void lmhead_view_marks_wrong_pixels() {
    // The sign image counts and frames the pixels whose sign differs from Y (a zero change counts
    // as wrong, as in the pixel-accuracy metric).
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
    set.sign.data[8] = 0.0f;               // pixel (1, 1) unchanged
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
    QCOMPARE(dpg::ui::credit_colour(-5.0, 2.0),
             QStringLiteral("#2166ac"));  // clipped at full colour
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
    QVERIFY2(v.detailHtml().contains(QStringLiteral("#2166ac")) &&
                 v.detailHtml().contains(QStringLiteral("Once")),
             qPrintable(v.detailHtml()));
    v.table()->setCurrentIndex(v.table()->model()->index(1, dpg::ui::SamplesModel::Response));
    QVERIFY(v.detailHtml().contains(QStringLiteral("Twice")));
    QVERIFY(v.detailHtml().contains(QStringLiteral("grpo.credit")));
  }

  void lmhead_view_says_whether_a_qr_scans() {
    // With a QR target the caption adds what a phone would see: the exact code scans, a few wrong
    // modules still scan (level H), nine wrong codewords (one more than level H repairs) and a
    // blank image do not, and say how many codewords are wrong. A "67" target gets no scan verdict
    // at all.
    LmHeadView v;
    v.resize(900, 300);
    v.show();
    const auto qr = dpg::objective::make_qr("DPG", {'H', 1});
    auto few_wrong = qr.to_image();
    for (int k = 0; k < 5; ++k) few_wrong.data[size_t((12 + k) * 21 + 20 - k)] *= -1.0f;
    auto nine_codewords = qr.to_image();  // one codeword more than level H repairs
    for (int i = 0; i < 21 * 21; ++i)
      if (const int cw = dpg::objective::qr_codeword_of(i / 21, i % 21); cw >= 0 && cw < 9)
        nine_codewords.data[size_t(i)] *= -1.0f;
    const std::vector<std::pair<dpg::engine::Image, QString>> cases = {
        {qr.to_image(), QStringLiteral("\nscans as “DPG”")},
        {few_wrong, QStringLiteral("436 of 441 right\nscans as “DPG”")},
        {nine_codewords,
         QStringLiteral("369 of 441 right\nno scan: 9 codewords wrong, 8 repairable")},
        {dpg::objective::Bitmap(21, 21).to_image(),
         QStringLiteral("\nno scan: 26 codewords wrong, 8 repairable")}};
    int64_t step = 0;
    for (const auto& [sign, expected] : cases) {
      dpg::ui::SnapshotSet set;
      set.step = ++step;
      set.target = qr.to_image();
      set.val_sign = set.val_delta = sign;
      v.addSnapshot(set);
      QVERIFY2(v.signCaption().endsWith(expected), qPrintable(v.signCaption()));
    }
    // The tooltip gives the whole count, finder patterns included (the blank misses their 99 dark
    // modules).
    QCOMPARE(v.signCaptionTip(),
             QStringLiteral(
                 "26 of 26 codewords wrong (level H repairs 8), 99 of 192 finder modules wrong"));
    v.clear();
    dpg::ui::SnapshotSet set;
    set.step = 1;
    set.target = set.val_sign = set.val_delta = dpg::objective::sixty_seven().to_image();
    v.addSnapshot(set);
    QVERIFY2(v.signCaption().endsWith(QStringLiteral("42 of 42 right")),
             qPrintable(v.signCaption()));
  }

  void lmhead_view_switches_image_source() {
    // Steps 5 and 15 store only their training run's images; step 10 stores both, with a validation
    // image that has 3 wrong pixels where the training image has 1. The source choice decides which
    // the slider runs over and which image is shown and counted, and the caption says which.
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
    QVERIFY2(v.signCaption().contains(QStringLiteral("validation: 39 of 42")),
             qPrintable(v.signCaption()));

    v.setSource(LmHeadView::Source::Training);
    QCOMPARE(v.currentStep(), int64_t(10));  // stays on the step it showed
    QCOMPARE(v.wrongPixels(), 1);
    QVERIFY2(v.signCaption().contains(QStringLiteral("training: 41 of 42")),
             qPrintable(v.signCaption()));

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
    const auto diff =
        CompareView::configDiff({nlohmann::json{{"a", 1}, {"b", {{"c", 2}, {"d", 3}}}},
                                 nlohmann::json{{"a", 1}, {"b", {{"c", 5}, {"d", 3}}}}});
    QCOMPARE(diff.size(), size_t(1));
    QCOMPARE(diff[0].first, std::string("b.c"));
  }

  // The Continue dialog offers only continuations that keep the steps made: more steps (by default
  // half as many again for a finished run), and changes that begin after them; anything else
  // disables Continue and says why.
  void continue_dialog_checks_each_edit() {
    dpg::config::RunConfig cfg;
    cfg.grpo.steps = 40;
    dpg::store::RunInfo run;
    run.id = 7;
    run.name = "finished";
    run.status = dpg::store::RunStatus::Done;
    run.config_json = cfg.to_json().dump();
    run.last_step = 40;
    run.last_checkpoint = 40;
    ContinueDialog d(run);
    QCOMPARE(d.stepsBox()->minimum(), 41);
    QCOMPARE(d.stepsBox()->value(), 60);
    QVERIFY2(d.okButton()->isEnabled(), qPrintable(d.message()));
    QCOMPARE(d.changes(), QStringList{QStringLiteral("grpo.steps=60")});
    d.changesBox()->setPlainText(QStringLiteral("grpo.kl_coef=0.5"));
    QVERIFY(!d.okButton()->isEnabled());
    QVERIFY2(
        d.message().startsWith(QStringLiteral("grpo.kl_coef: cannot change when continuing a run")),
        qPrintable(d.message()));
    d.changesBox()->setPlainText(
        QStringLiteral("objective.stages=[{\"from_step\": 30, \"params\": {\"sharpness\": 5}}]"));
    QVERIFY(!d.okButton()->isEnabled());
    QVERIFY2(d.message().startsWith(
                 QStringLiteral("objective.stages: would change the objective of step 30")),
             qPrintable(d.message()));
    const QString stage =
        QStringLiteral("objective.stages=[{\"from_step\": 41, \"params\": {\"sharpness\": 5}}]");
    d.changesBox()->setPlainText(QStringLiteral("\n  %1  \n\ngrpo.lr_drop_step=40\n").arg(stage));
    d.stepsBox()->setValue(80);
    QVERIFY2(d.okButton()->isEnabled(), qPrintable(d.message()));
    QCOMPARE(d.changes(), (QStringList{QStringLiteral("grpo.steps=80"), stage,
                                       QStringLiteral("grpo.lr_drop_step=40")}));

    // A stopped run resumes from its newest checkpoint (30) and makes steps 31–37 again, so those
    // may change, as the engine allows; step 30 may not.
    run.status = dpg::store::RunStatus::Stopped;
    run.last_step = 37;
    run.last_checkpoint = 30;
    ContinueDialog s(run);
    QCOMPARE(s.stepsBox()->value(), 40);  // its own end
    const auto stageFrom = [](int step) {
      return QStringLiteral(
                 "objective.stages=[{\"from_step\": %1, \"params\": {\"sharpness\": 5}}]")
          .arg(step);
    };
    s.changesBox()->setPlainText(stageFrom(31));
    QVERIFY2(s.okButton()->isEnabled(), qPrintable(s.message()));
    QCOMPARE(s.statusText(),
             QStringLiteral("✔ Continues from the checkpoint of step 30 to step 40 (10 steps). "
                            "Steps 31–37, made after that checkpoint, are run again."));
    s.changesBox()->setPlainText(stageFrom(30));
    QVERIFY2(s.message().startsWith(
                 QStringLiteral("objective.stages: would change the objective of step 30")),
             qPrintable(s.message()));
    run.last_checkpoint.reset();  // no checkpoint: the engine makes every step again
    ContinueDialog none(run);
    QCOMPARE(none.statusText(),
             QStringLiteral("✔ Starts again from step 1, as there is no checkpoint, and runs to "
                            "step 40. Its 37 stored steps are made again."));
  }

  // The schedule is marked on every plot and replaced, not added to, by the next run's; clear()
  // keeps it.
  void dashboard_marks_the_schedule() {
    Dashboard d;
    d.setSchedule({{1101, "lr 1e-04"}, {1801, "stage 1: focus"}});
    QCOMPARE(d.scheduleMarks(), 2);
    auto* plot = d.findChildren<QCustomPlot*>().front();
    int lines = 0;
    for (int i = 0; i < plot->itemCount(); ++i)
      lines += qobject_cast<QCPItemStraightLine*>(plot->item(i)) != nullptr;
    QCOMPARE(lines, 2);
    d.clear();
    QCOMPARE(d.scheduleMarks(), 2);
    d.setSchedule({{5, "stage 1"}});
    lines = 0;
    for (int i = 0; i < plot->itemCount(); ++i)
      lines += qobject_cast<QCPItemStraightLine*>(plot->item(i)) != nullptr;
    QCOMPARE(lines, 1);
  }

  void dashboard_ticks_whole_steps() {
    // The step axis ticks whole steps only: a 16-step run must not show a tick at 2.5, a long one
    // none at 250.5.
    for (int steps : {16, 2100}) {
      Dashboard d;
      d.resize(900, 600);
      std::vector<dpg::engine::StepMetrics> ms(static_cast<size_t>(steps));
      for (int i = 0; i < steps; ++i) ms[size_t(i)].step = i + 1;
      d.appendMany(ms);
      auto* plot = d.findChildren<QCustomPlot*>().front();
      QTRY_COMPARE(plot->graph(0)->dataCount(), steps);
      plot->replot();
      const auto ticks = plot->xAxis->tickVector();
      QVERIFY(ticks.size() >= 3);
      for (double t : ticks) QVERIFY2(t == std::floor(t), qPrintable(QString::number(t)));
    }
  }

  void history_steps_tip_names_the_resume_point() {
    dpg::config::RunConfig cfg;
    cfg.grpo.steps = 40;
    dpg::store::RunInfo run;
    run.id = 3;
    run.config_json = cfg.to_json().dump();
    run.last_step = 37;
    run.last_checkpoint = 30;
    RunsModel model;
    model.setRuns({run});
    const auto tip = [&] {
      return model.data(model.index(0, RunsModel::LastStep), Qt::ToolTipRole).toString();
    };
    QCOMPARE(
        tip(),
        QStringLiteral("37 of 40 steps made; newest checkpoint at step 30, where a resume starts"));
    run.last_checkpoint.reset();
    run.config_json = "{";
    model.setRuns({run});
    QCOMPARE(tip(),
             QStringLiteral("37 steps made; no checkpoint yet, so a resume starts from step 1"));
  }

  void compare_marks_each_runs_schedule() {
    // An event every compared run shares is drawn once; another run's own event carries its id and
    // colour.
    QTemporaryDir dir;
    StoreReader reader(dir.filePath(QStringLiteral("runs.db")));
    CompareView view(&reader);
    CompareList runs(2);
    runs[0].info.id = 1;
    runs[1].info.id = 2;
    runs[0].schedule = {{1101, "lr 1e-04"}};
    runs[1].schedule = {{1101, "lr 1e-04"}, {1801, "stage 1: focus"}};
    Q_EMIT reader.compareLoaded(runs);
    QCOMPARE(view.runCount(), 2);
    QStringList labels = view.scheduleLabels();
    labels.sort();
    QCOMPARE(labels,
             (QStringList{QStringLiteral("#2 stage 1: focus"), QStringLiteral("lr 1e-04")}));
    runs[1].schedule.clear();  // a new comparison replaces the marks
    Q_EMIT reader.compareLoaded(runs);
    QCOMPARE(view.scheduleLabels(), QStringList{QStringLiteral("#1 lr 1e-04")});
  }

  void dashboard_merges_older_steps() {
    // A reload of a resumed run's stored steps can answer after its first live step: the older
    // steps must still be drawn, in order, and a step that is already shown must not be added
    // twice.
    Dashboard d;
    auto m = [](int64_t step) {
      dpg::engine::StepMetrics s;
      s.step = step;
      s.Phi = double(step);
      return s;
    };
    d.append(m(5));
    d.appendMany({m(1), m(2), m(3), m(4), m(5)});
    d.append(m(6));
    d.appendMany({m(6), m(7)});
    d.append(m(3));
    QCOMPARE(d.pointCount(), 7);
    for (int i = 0; i < 7; ++i) QCOMPARE(d.metrics()[size_t(i)].step, int64_t(i + 1));
  }

 private:
  QTemporaryDir dir_;
};

QTEST_MAIN(TestWidgets)
#include "test_widgets.moc"
