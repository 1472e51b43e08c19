// SPDX-License-Identifier: MIT
// What a new user meets first, one widget at a time, offscreen:
//   ctest -R '^first_hour$' --output-on-failure        or        build/bin/test_first_hour
//   <function>
// The Start page's preset cards, the run setup's groups and its JSON editor, a designed run's own
// name, the dashboard's hover readout, title tips and notes, Y before the first snapshot, and the
// compare grid with its x-axis, smoothing and value-based config diff.
#include "core/config/presets.h"
#include "ui/compare_view.h"
#include "ui/dashboard.h"
#include "ui/history_browser.h"
#include "ui/image_util.h"
#include "ui/json_dialog.h"
#include "ui/lmhead_view.h"
#include "ui/main_window.h"
#include "ui/preset_cards.h"
#include "ui/run_setup.h"
#include "ui/run_tour.h"
#include "ui/store_reader.h"

#include <qcustomplot.h>

#include <QAction>
#include <QFrame>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSignalSpy>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace dpg::ui;

namespace {

dpg::engine::StepMetrics step(int64_t s, bool validated) {
  dpg::engine::StepMetrics m;
  m.step = s;
  m.Phi = 0.1 * double(s);
  m.metric = 0.5 + 0.01 * double(s);
  m.val_Phi = validated ? 0.09 * double(s) : std::numeric_limits<double>::quiet_NaN();
  m.val_metric = validated ? 0.5 + 0.02 * double(s) : std::numeric_limits<double>::quiet_NaN();
  m.reward_mean = 0.001;
  m.reward_std = 0.5;
  m.step_seconds = 1.5;
  m.frac_zero_std = s <= 6 ? 0.0 : 0.25;
  m.adv_min = -1.5, m.adv_q1 = -0.5, m.adv_median = 0.1, m.adv_q3 = 0.6, m.adv_max = 2.0;
  return m;
}

/// A run for the compare view: @p steps steps of 1.5 s, P × G = @p p × @p g.
CompareRun compareRun(int64_t id, int64_t steps, int64_t p, int64_t g) {
  CompareRun r;
  r.info.id = id;
  r.info.name = "run " + std::to_string(id);
  r.info.metric_name = "pixel accuracy";
  auto cfg = dpg::config::load_preset("67-tiny");
  cfg.grpo.prompts_per_step = p;
  cfg.grpo.group_size = g;
  r.info.config_json = cfg.to_json().dump();
  for (int64_t s = 1; s <= steps; ++s) r.steps.push_back(step(s, s % 5 == 0));
  return r;
}

}  // namespace

/// Every field of @p setup is shown, inside its scroll area's viewport (nothing cut off on the
/// right), and wide enough to read: a line edit shows its whole value or at least 20 characters.
void checkEveryFieldFits(RunSetup* setup) {
  QApplication::processEvents();
  auto* scroll = setup->findChild<QScrollArea*>();
  QVERIFY(scroll);
  for (const auto& f : dpg::config::run_config_fields()) {
    QWidget* e = setup->editor(f.path);
    QVERIFY2(e && e->isVisible(), f.path.c_str());
    const int right = e->mapTo(scroll->viewport(), QPoint(e->width(), 0)).x();
    QVERIFY2(right <= scroll->viewport()->width(),
             qPrintable(QStringLiteral("%1 ends at %2 of %3")
                            .arg(QString::fromStdString(f.path))
                            .arg(right)
                            .arg(scroll->viewport()->width())));
    if (auto* le = qobject_cast<QLineEdit*>(e)) {
      const QFontMetrics fm(le->font());
      const int need = std::min(fm.horizontalAdvance(le->text()), fm.averageCharWidth() * 20);
      QVERIFY2(le->width() >= need, f.path.c_str());
    }
  }
}

class TestFirstHour : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName(QStringLiteral("dpg-workbench-tests"));
  }

  void preset_cards_select_the_default_and_show_what_to_expect() {
    PresetCards cards;
    cards.resize(1100, 700);
    cards.show();
    QCOMPARE(cards.selected(), QStringLiteral("67-tiny"));
    QCOMPARE(cards.names().size(), int(dpg::config::list_presets().size()));
    for (const auto& info : dpg::config::list_presets()) {
      auto* card = cards.card(QString::fromStdString(info.name));
      QVERIFY(card);
      // The one-line purpose, the time and what the user sees by then, the models it needs.
      QVERIFY2(card->text().contains(QString::fromStdString(info.purpose)), info.name.c_str());
      QVERIFY2(card->text().contains(QString::fromStdString(info.expect)), info.name.c_str());
      QVERIFY2(card->text().contains(QStringLiteral("Models: ")), info.name.c_str());
    }
    // The bitmap objectives show their target image; the others a placeholder.
    QVERIFY(cards.card(QStringLiteral("67-tiny"))->hasThumbnail());
    QVERIFY(cards.card(QStringLiteral("qr-tiny"))->hasThumbnail());
    QVERIFY(!cards.card(QStringLiteral("norm-tiny"))->hasThumbnail());
    QVERIFY(cards.card(QStringLiteral("67-tiny"))->text().contains(QStringLiteral("tiny-gen")));
    // The 67 is 7 wide and 6 high; the QR code square.
    dpg::config::PresetInfo sixty_seven, qr;
    for (const auto& info : dpg::config::list_presets()) {
      if (info.name == "67-tiny") sixty_seven = info;
      if (info.name == "qr-tiny") qr = info;
    }
    const QImage a = PresetCards::thumbnail(sixty_seven, 84);
    const QImage b = PresetCards::thumbnail(qr, 84);
    QCOMPARE(a.size(), QSize(84, 72));
    QCOMPARE(b.width(), b.height());

    QSignalSpy changed(&cards, &PresetCards::selectionChanged);
    QSignalSpy activated(&cards, &PresetCards::activated);
    auto* qrCard = cards.card(QStringLiteral("qr-tiny"));
    QTest::mouseClick(qrCard, Qt::LeftButton, {}, QPoint(20, 20));
    QCOMPARE(cards.selected(), QStringLiteral("qr-tiny"));
    QVERIFY(qrCard->isSelected() && !cards.card(QStringLiteral("67-tiny"))->isSelected());
    QCOMPARE(changed.count(), 1);
    QTest::mouseDClick(qrCard, Qt::LeftButton, {}, QPoint(20, 20));
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.front().front().toString(), QStringLiteral("qr-tiny"));
  }

  void run_setup_groups_fields_and_fits_its_pane() {
    RunSetup setup;
    setup.resize(560, 840);  // its share of a 1 400 × 900 window
    setup.show();
    QVERIFY(QTest::qWaitForWindowExposed(&setup));
    // JSON values are summarised, readable, and edited in a dialog.
    auto* params = qobject_cast<QLabel*>(setup.editor("objective.params"));
    QVERIFY(params);
    QVERIFY2(params->text().contains(QStringLiteral("source = 67")), qPrintable(params->text()));
    QVERIFY(params->wordWrap());
    // The advanced sections start collapsed; the common settings are in view.
    QVERIFY(!setup.advancedHeaders().empty());
    for (auto* h : setup.advancedHeaders()) QVERIFY(!h->isChecked());
    QVERIFY(!setup.editor("grpo.clip")->isVisible());
    QVERIFY(setup.editor("grpo.steps")->isVisible());
    QVERIFY(setup.editor("inner.T")->isVisible());
    for (auto* h : setup.advancedHeaders()) h->setChecked(true);
    QVERIFY(setup.editor("grpo.clip")->isVisible());
    checkEveryFieldFits(&setup);
  }

  void design_tab_fits_a_1400_by_900_window() {
    QTemporaryDir dir;
    MainWindow w(dir.filePath(QStringLiteral("runs.db")));
    w.setInteractive(false);
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.presetCards()->selected(), QStringLiteral("67-tiny"));
    w.tabs()->setCurrentIndex(MainWindow::DesignTab);
    for (auto* h : w.runSetup()->advancedHeaders()) h->setChecked(true);
    checkEveryFieldFits(w.runSetup());
  }

  void json_dialog_checks_a_stage_before_it_is_used() {
    RunSetup setup;
    auto* d = setup.editJson("objective.stages");
    QVERIFY(d);
    QVERIFY(d->isValid());  // the preset's empty list
    d->editor()->setPlainText(QStringLiteral("[{\"from_step\": 1, \"par"));
    QVERIFY(!d->isValid());
    QCOMPARE(d->message(), QStringLiteral("Not valid JSON."));
    d->editor()->setPlainText(QStringLiteral("[{\"from_step\": 1, \"params\": {}}]"));
    QVERIFY(!d->isValid());
    QVERIFY2(d->message().startsWith(QStringLiteral("objective.stages")), qPrintable(d->message()));
    d->editor()->setPlainText(
        QStringLiteral("[{\"from_step\": 50, \"params\": {\"sharpness\": 10}}]"));
    QVERIFY2(d->isValid(), qPrintable(d->message()));
    d->accept();
    QCOMPARE(setup.config().objective.stages,
             nlohmann::json::parse(R"([{"from_step": 50, "params": {"sharpness": 10}}])"));
    auto* summary = qobject_cast<QLabel*>(setup.editor("objective.stages"));
    QCOMPARE(summary->text(), QStringLiteral("from step 50: sharpness = 10"));
    QVERIFY(setup.validationMessage().isEmpty());
  }

  void designed_run_gets_its_own_name() {
    RunSetup setup;
    setup.loadPreset(QStringLiteral("67-tiny"));
    QCOMPARE(setup.config().name, std::string("67-tiny"));
    QVERIFY(!setup.config().description.empty());
    setup.setObjectiveParams({{"source", "bitmap"}, {"bits", {"#.", ".#"}}});
    QCOMPARE(setup.config().name, std::string("67-tiny designed"));
    QVERIFY(setup.config().description.empty());
    // A name the user chose stays.
    auto* name = qobject_cast<QLineEdit*>(setup.editor("name"));
    name->setText(QStringLiteral("my square"));
    setup.setObjectiveParams({{"source", "bitmap"}, {"bits", {"##", "##"}}});
    QCOMPARE(setup.config().name, std::string("my square"));
  }

  void dashboard_reads_out_every_curve_at_the_hovered_step() {
    Dashboard d;
    d.resize(1200, 500);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    for (int64_t s = 1; s <= 12; ++s) d.append(step(s, s % 5 == 0));
    // Validations are markers from the first validation on, joined only to each other.
    QTRY_COMPARE(int(d.validationPoints().size()), 2);
    QCOMPARE(d.validationPoints().front().first, 5.0);
    QCOMPARE(d.validationPoints().back().first, 10.0);
    QVERIFY(!d.crosshairVisible());
    d.showStep(7);
    QVERIFY(d.crosshairVisible());
    const QString text = d.readoutText();
    QVERIFY2(text.startsWith(QStringLiteral("step 7")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Φ 0.7")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("metric 0.6 @5")), qPrintable(text));  // stale: step 5
    d.showStep(10);
    QVERIFY2(d.readoutText().contains(QStringLiteral("metric 0.7  ·")),
             qPrintable(d.readoutText()));
    QVERIFY(!d.readoutText().contains(QStringLiteral("@")));
    // Hovering a plot moves the readout to the step under the mouse.
    auto* plot = d.findChildren<QCustomPlot*>().front();
    const QPoint at(int(plot->xAxis->coordToPixel(3.0)), plot->axisRect()->center().y());
    QMouseEvent move(QEvent::MouseMove, QPointF(at), QPointF(plot->mapToGlobal(at)), Qt::NoButton,
                     Qt::NoButton, Qt::NoModifier);
    QCoreApplication::sendEvent(plot, &move);
    QVERIFY2(d.readoutText().startsWith(QStringLiteral("step 3")), qPrintable(d.readoutText()));
    // Each title says what its plot is.
    for (int i = 0; i < 10; ++i) QVERIFY2(!d.titleTip(i).isEmpty(), qPrintable(QString::number(i)));
    QVERIFY(d.titleTip(0).contains(QStringLiteral("objective")));
    QVERIFY(d.titleTip(5).contains(QStringLiteral("mini-batch")));
    QVERIFY(d.titleTip(8).contains(QStringLiteral("frac_reward_zero_std")));
    QVERIFY(d.titleTip(9).contains(QStringLiteral("quartiles")));
    // The share of groups with equal τ, and the advantage's median in its quartile and range bands.
    d.showStep(8);
    QVERIFY2(d.readoutText().contains(QStringLiteral("equal-τ groups 0.25")),
             qPrintable(d.readoutText()));
    QVERIFY2(d.readoutText().contains(QStringLiteral("Â median 0.1 [-0.5, 0.6]")),
             qPrintable(d.readoutText()));
    QCOMPARE(d.graphPoints(8, 0), 12);
    auto* adv = qobject_cast<QCustomPlot*>(d.plotWidget(9));
    QVERIFY(adv);
    QCOMPARE(adv->graphCount(), 5);
    for (int g = 0; g < 5; ++g) QCOMPARE(d.graphPoints(9, g), 12);
    bool found = false;
    const QCPRange range = adv->graph(2)->getValueRange(found);  // the range band's top: max
    QVERIFY(found && std::abs(range.upper - 2.0) < 1e-9);
    // Flat panels say why: every clip fraction is 0, every τ mean ~0 beside its spread.
    QTRY_VERIFY(d.clipNoteShown());
    QVERIFY(d.rewardNoteShown());
    auto m = step(13, false);
    m.reward_mean = 0.4;
    d.append(m);
    QTRY_VERIFY(!d.rewardNoteShown());
  }

  void run_view_tour_steps_through_its_parts() {
    QSettings().remove(QStringLiteral("tour/runViewShown"));
    QTemporaryDir dir;
    MainWindow w(dir.filePath(QStringLiteral("runs.db")));
    w.setInteractive(false);
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.tabs()->setCurrentIndex(MainWindow::HistoryTab);
    // Help › Tour of the Run view opens the Run tab and frames the Φ plot first.
    QAction* action = w.findChild<QAction*>(QStringLiteral("tourAction"));
    QVERIFY(action);
    action->trigger();
    RunTour* tour = w.tour();
    QVERIFY(tour && tour->isVisible());
    QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::RunTab));
    QCOMPARE(tour->count(), 5);
    const auto rectOf = [&](const QWidget* x) {
      return QRect(x->mapTo(&w, QPoint(0, 0)), x->size());
    };
    const QRect phi = rectOf(w.dashboard()->plotWidget(0));
    QCOMPARE(tour->highlighted(), phi);
    QVERIFY(tour->title().contains(QStringLiteral("Φ")));
    QVERIFY(!tour->calloutGeometry().intersects(phi));
    QVERIFY(w.rect().contains(tour->calloutGeometry()));
    // Next: τ, then the heatmap, the Samples tab, the hover readout; Back returns.
    tour->next();
    QCOMPARE(tour->highlighted(), rectOf(w.dashboard()->plotWidget(2)));
    QVERIFY(tour->text().contains(QStringLiteral("τ")));
    tour->back();
    QCOMPARE(tour->current(), 0);
    // Every stop's text is shown whole: the callout is as tall as its wrapped lines need.
    const auto textFits = [&] {
      auto* callout = w.findChild<QFrame*>(QStringLiteral("runTourCallout"));
      for (auto* label : callout->findChildren<QLabel*>())
        if (label->wordWrap() && label->height() < label->heightForWidth(label->width()))
          return false;
      return true;
    };
    QVERIFY(textFits());
    tour->next();
    QVERIFY(textFits());
    tour->next();
    QVERIFY(textFits());
    QVERIFY(rectOf(w.lmHead()).contains(rectOf(w.lmHead()->heatmapWidget())));
    QCOMPARE(tour->highlighted(), rectOf(w.lmHead()));
    QVERIFY(!tour->calloutGeometry().intersects(tour->highlighted()));
    tour->next();
    QVERIFY(tour->title().contains(QStringLiteral("samples")));
    QVERIFY(w.tabs()
                ->tabBar()
                ->geometry()
                .translated(w.tabs()->mapTo(&w, QPoint(0, 0)))
                .contains(tour->highlighted()));
    tour->next();
    QCOMPARE(tour->highlighted(),
             rectOf(w.dashboard()->findChild<QLabel*>(QStringLiteral("hoverReadout"))));
    QCOMPARE(tour->nextText(), QStringLiteral("Done"));
    QSignalSpy finished(tour, &RunTour::finished);
    tour->next();  // Done
    QCOMPARE(finished.count(), 1);
    QVERIFY(!tour->isVisible());
    QTRY_VERIFY(!w.tour());  // deleted once closed
    // Leaving the Run tab ends an open tour.
    w.startTour();
    QVERIFY(w.tour());
    w.tabs()->setCurrentIndex(MainWindow::SamplesTab);
    QTRY_VERIFY(!w.tour());
    // Shown by itself once (a window's first run), then remembered.
    w.showTourOnce();
    QVERIFY(w.tour() && w.tour()->isVisible());
    QVERIFY(QSettings().value(QStringLiteral("tour/runViewShown")).toBool());
    w.tour()->finish();
    QTRY_VERIFY(!w.tour());
    w.showTourOnce();
    QVERIFY(!w.tour());
  }

  void lmhead_view_shows_y_before_the_first_snapshot() {
    LmHeadView view;
    QVERIFY(!view.showsTarget());
    QVERIFY(bitmap_target({{"source", "nope"}}).empty());
    const auto y = bitmap_target({{"source", "67"}});
    QCOMPARE(y.rows * y.cols, int64_t(42));
    view.setTarget(y);
    QVERIFY(view.showsTarget());
    view.clear();
    QVERIFY(!view.showsTarget());
  }

  void compare_grid_switches_its_x_axis() {
    QTemporaryDir dir;
    StoreReader reader(dir.filePath(QStringLiteral("runs.db")));
    CompareView view(&reader);
    CompareList runs{compareRun(1, 20, 16, 4), compareRun(2, 10, 8, 2)};
    Q_EMIT reader.compareLoaded(runs);
    QCOMPARE(view.runCount(), 2);
    // Every metric in its own plot, the metric named after the runs' own.
    const QStringList titles = view.panelTitles();
    QVERIFY(titles.size() >= 9);
    QVERIFY(titles.contains(QStringLiteral("Pixel accuracy (train)")));
    QVERIFY(titles.contains(QStringLiteral("Fluency NLL / token")));
    QVERIFY(titles.contains(QStringLiteral("Groups with equal τ")));
    QCOMPARE(view.curveCount(), 2);
    QCOMPARE(view.curveName(), QStringLiteral("Pixel accuracy (train)"));
    QCOMPARE(view.lastX(0), 20.0);
    QCOMPARE(view.lastX(1), 10.0);
    view.setXAxis(CompareView::XAxis::Examples);
    QCOMPARE(view.lastX(0), 20.0 * 64);
    QCOMPARE(view.lastX(1), 10.0 * 16);
    view.setXAxis(CompareView::XAxis::Time);
    QCOMPARE(view.lastX(0), 20 * 1.5 / 60);
    QCOMPARE(view.lastX(1), 10 * 1.5 / 60);
    // Smoothing keeps the raw curve, faint, under the smoothed one.
    view.setSmoothing(0.9);
    QCOMPARE(view.smoothing(), 0.9);
    auto* phi = view.findChildren<QCustomPlot*>().front();
    QCOMPARE(phi->graphCount(), 4);
    QVERIFY(phi->graph(0)->pen().color().alpha() < 100);
    QCOMPARE(phi->graph(1)->pen().color().alpha(), 255);
  }

  void history_tells_runs_apart_and_filters_them() {
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("runs.db"));
    {
      auto st = dpg::store::RunStore::open(db.toStdString());
      auto cfg = dpg::config::load_preset("67-tiny");
      const int64_t a = st.create_run("a", "67-tiny", cfg.to_json().dump(), "", "pixel accuracy");
      dpg::engine::StepRecord rec;
      rec.metrics = step(1, true);
      rec.metrics.val_metric = 37.0 / 42.0;
      rec.validated = rec.new_best = true;
      // The training run's sign image and the validation's: the thumbnail shows the validation's.
      const dpg::engine::Image train{2, 2, {1, 1, 1, 1}}, val{2, 2, {1, -1, -1, 1}};
      rec.snapshots = {{"sign", train}, {"val_sign", val}};
      st.commit_step(a, rec);
      st.set_status(a, dpg::store::RunStatus::Done);
      cfg = dpg::config::load_preset("qr-tiny");
      const int64_t b = st.create_run("b", "qr-tiny", cfg.to_json().dump(), "", "pixel accuracy");
      st.set_tags(b, {"qr", "baseline"});
      st.set_status(b, dpg::store::RunStatus::Stopped);
      cfg.objective.params = {{"source", "bitmap"}, {"bits", {"#.#", ".#.", "#.#", "...", "###"}}};
      const int64_t c = st.create_run("c", "", cfg.to_json().dump(), "", "pixel accuracy");
      st.set_pinned(c, true);
    }
    StoreReader reader(db);
    HistoryBrowser h(&reader);
    QTRY_COMPARE(h.model()->rowCount(), 3);
    auto* model = h.model();
    const auto cell = [&](int row, int column) {
      return model->data(model->index(row, column), Qt::DisplayRole).toString();
    };
    QCOMPARE(cell(0, RunsModel::Objective), QStringLiteral("lmhead_bitmap: 67"));
    QCOMPARE(cell(1, RunsModel::Objective), QStringLiteral("lmhead_bitmap: QR “DPG”"));
    QCOMPARE(cell(2, RunsModel::Objective), QStringLiteral("lmhead_bitmap: drawn 5×3"));
    QCOMPARE(cell(0, RunsModel::BestMetric), QStringLiteral("37 of 42 pixels @ 1"));
    QCOMPARE(cell(1, RunsModel::Tags), QStringLiteral("qr, baseline"));
    QCOMPARE(cell(2, RunsModel::Pinned), QStringLiteral("★"));
    // The newest sign image as a thumbnail: the validation's diagonal, dark where +1; none for a
    // run without one.
    QTRY_VERIFY(!model->thumbnail(model->runAt(0)->id).isNull());
    const QImage thumb = model->thumbnail(model->runAt(0)->id);
    const auto icon =
        model->data(model->index(0, RunsModel::Image), Qt::DecorationRole).value<QIcon>();
    QVERIFY(!icon.isNull());
    QCOMPARE(thumb.size(), QSize(RunsModel::kThumbnailSize, RunsModel::kThumbnailSize));
    QVERIFY(qGray(thumb.pixel(5, 5)) < 64 && qGray(thumb.pixel(35, 35)) < 64);
    QVERIFY(qGray(thumb.pixel(35, 5)) > 192 && qGray(thumb.pixel(5, 35)) > 192);
    QVERIFY(model->data(model->index(0, RunsModel::Image), Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("validation")));
    QVERIFY(model->thumbnail(model->runAt(1)->id).isNull());
    QVERIFY(!model->data(model->index(1, RunsModel::Image), Qt::DecorationRole).isValid());
    // The pinned run leads in either sort order.
    auto* proxy = h.filter();
    for (auto order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
      h.table()->sortByColumn(RunsModel::Id, order);
      QCOMPARE(proxy->data(proxy->index(0, RunsModel::Name)).toString(), QStringLiteral("c"));
    }
    // Filters by tag, status and objective; "" is any.
    QCOMPARE(h.shownRows(), 3);
    proxy->setTag(QStringLiteral("baseline"));
    QCOMPARE(h.shownRows(), 1);
    proxy->setTag({});
    proxy->setStatus(QStringLiteral("done"));
    QCOMPARE(h.shownRows(), 1);
    QCOMPARE(proxy->data(proxy->index(0, RunsModel::Name)).toString(), QStringLiteral("a"));
    proxy->setStatus({});
    proxy->setObjective(QStringLiteral("lmhead_bitmap: QR “DPG”"));
    QCOMPARE(h.shownRows(), 1);
    proxy->setObjective({});
    QCOMPARE(h.shownRows(), 3);
    // A free-text note per run, edited under the table, kept in the store and shown as the row's
    // tooltip.
    const qint64 b = model->runAt(1)->id;
    h.selectRuns({b});
    auto* notes = h.findChild<QPlainTextEdit*>();
    QVERIFY(notes);
    notes->setPlainText(QStringLiteral("lr too high; try 3e-5"));
    QPushButton* save = nullptr;
    for (auto* button : h.findChildren<QPushButton*>())
      if (button->text() == QStringLiteral("Save notes")) save = button;
    QVERIFY(save && save->isEnabled());
    save->click();
    QTRY_COMPARE(model->runById(b)->notes, std::string("lr too high; try 3e-5"));
    QCOMPARE(model->data(model->index(1, RunsModel::Name), Qt::ToolTipRole).toString(),
             QStringLiteral("lr too high; try 3e-5"));
    QCOMPARE(dpg::store::RunStore::open(db.toStdString(), true).run(b)->notes,
             std::string("lr too high; try 3e-5"));
  }

  void config_diff_compares_values_not_spelling() {
    const auto same =
        CompareView::configDiff({nlohmann::json::parse(R"({"a": 20, "b": {"c": [1, 2.0]}})"),
                                 nlohmann::json::parse(R"({"a": 20.0, "b": {"c": [1.0, 2]}})")});
    QVERIFY(same.empty());
    const auto differ = CompareView::configDiff(
        {nlohmann::json::parse(R"({"a": 20})"), nlohmann::json::parse(R"({"a": 20.5, "x": 1})")});
    QCOMPARE(differ.size(), size_t(2));
    QCOMPARE(differ[0].first, std::string("a"));
    QCOMPARE(differ[1].second[0], std::string("(absent)"));
  }
};

QTEST_MAIN(TestFirstHour)
#include "test_first_hour.moc"
