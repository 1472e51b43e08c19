// SPDX-License-Identifier: MIT
#include "ui/designer/objective_designer.h"

#include "core/model/model_config.h"
#include "core/objective/bitmap_params.h"
#include "core/resources/resources.h"
#include "ui/designer/bitmap_canvas.h"
#include "ui/designer/focus_command.h"
#include "ui/designer/invert_command.h"
#include "ui/designer/replace_bitmap_command.h"
#include "ui/types.h"

#include <QAction>
#include <QButtonGroup>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <array>
#include <fstream>
#include <utility>

namespace dpg::ui {

namespace {
constexpr int kMaxSide = 64;

objective::Bitmap fitToMax(const objective::Bitmap& b) {
  if (b.rows() <= kMaxSide && b.cols() <= kMaxSide) return b;
  const double s = double(kMaxSide) / std::max(b.rows(), b.cols());
  return b.resampled(std::max(1, int(b.rows() * s)), std::max(1, int(b.cols() * s)));
}
/// A text-only tool button appended to @p row.
QToolButton* addToolButton(QWidget* parent, QHBoxLayout* row, const QString& text,
                           const QString& tip) {
  auto* b = new QToolButton(parent);
  b->setText(text);
  b->setToolTip(tip);
  b->setToolButtonStyle(Qt::ToolButtonTextOnly);
  row->addWidget(b);
  return b;
}
}  // namespace

ObjectiveDesigner::ObjectiveDesigner(QWidget* parent) : QWidget(parent) {
  undo_ = new QUndoStack(this);
  canvas_ = new BitmapCanvas(undo_, this);
  canvas_->setBitmap(objective::sixty_seven());

  auto* top = new QHBoxLayout(this);
  auto* left = new QVBoxLayout;
  auto* tools = new QHBoxLayout;
  addDrawingTools(tools);
  addEditButtons(tools);
  tools->addStretch();
  left->addLayout(tools);
  left->addWidget(canvas_, 1);
  size_label_ = new QLabel(this);
  left->addWidget(size_label_);
  top->addLayout(left, 3);

  auto* panel = new QWidget;
  auto* side = new QVBoxLayout(panel);
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setWidget(panel);
  scroll->setMinimumWidth(340);
  top->addWidget(scroll, 2);
  side->addWidget(buildGridBox());
  side->addWidget(buildSourcesBox());
  side->addWidget(buildPatchBox());
  error_label_ = new QLabel;
  error_label_->setWordWrap(true);
  error_label_->setStyleSheet(QStringLiteral("color: #b00020"));
  side->addWidget(error_label_);
  side->addStretch();

  connect(canvas_, &BitmapCanvas::bitmapChanged, this, &ObjectiveDesigner::refresh);
  connect(canvas_, &BitmapCanvas::focusChanged, this, &ObjectiveDesigner::refresh);
  for (auto* s : {token_offset_, dim_offset_})
    connect(s, &QSpinBox::valueChanged, this, &ObjectiveDesigner::refresh);
  refresh();
}

void ObjectiveDesigner::addDrawingTools(QHBoxLayout* tools) {
  // Three exclusive tools; P, E and F switch between them while the keyboard focus is inside the
  // designer (not window-wide, so the run setup beside it keeps those keys).
  auto* toolGroup = new QButtonGroup(this);
  const std::pair<BitmapCanvas::Tool, std::array<QString, 3>> toolSpecs[] = {
      {BitmapCanvas::Tool::Paint,
       {tr("Paint"), tr("Left-drag paints dark cells (P)"), QStringLiteral("P")}},
      {BitmapCanvas::Tool::Erase,
       {tr("Erase"), tr("Left-drag erases (right-drag always erases) (E)"), QStringLiteral("E")}},
      {BitmapCanvas::Tool::Focus,
       {tr("Focus"),
        tr("Click a pixel to give it the focus weight in Φ; click again or right-click to remove "
           "(F)"),
        QStringLiteral("F")}},
  };
  for (const auto& [tool, spec] : toolSpecs) {
    auto* b = addToolButton(this, tools, spec[0], spec[1]);
    b->setCheckable(true);
    b->setChecked(tool == BitmapCanvas::Tool::Paint);
    toolGroup->addButton(b, int(tool));
    auto* key = new QAction(this);
    key->setShortcut(QKeySequence(spec[2]));
    key->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(key, &QAction::triggered, b, &QToolButton::click);
    addAction(key);
  }
  toolGroup->setExclusive(true);
  connect(toolGroup, &QButtonGroup::idClicked, this,
          [this](int id) { canvas_->setTool(BitmapCanvas::Tool(id)); });
  focus_weight_ = new QDoubleSpinBox(this);
  focus_weight_->setRange(0, 1000);
  focus_weight_->setDecimals(2);
  focus_weight_->setSingleStep(0.5);
  focus_weight_->setValue(canvas_->focusWeight());
  focus_weight_->setPrefix(QStringLiteral("×"));
  focus_weight_->setToolTip(
      tr("Weight a Focus click gives a pixel in Φ (every other pixel weighs 1; 0 leaves it out)"));
  connect(focus_weight_, &QDoubleSpinBox::valueChanged, canvas_, &BitmapCanvas::setFocusWeight);
  tools->addWidget(focus_weight_);
}

void ObjectiveDesigner::addEditButtons(QHBoxLayout* tools) {
  connect(addToolButton(this, tools, tr("Clear focus"), tr("Remove every focus weight")),
          &QToolButton::clicked, this, &ObjectiveDesigner::clearFocus);
  connect(addToolButton(this, tools, tr("Invert"), tr("Swap dark and light")),
          &QToolButton::clicked, this, &ObjectiveDesigner::invert);
  connect(addToolButton(this, tools, tr("Clear"), tr("All cells light")), &QToolButton::clicked,
          this, &ObjectiveDesigner::clearGrid);
  auto* undoB = addToolButton(this, tools, tr("Undo"), tr("Undo (Ctrl+Z)"));
  auto* redoB = addToolButton(this, tools, tr("Redo"), tr("Redo (Ctrl+Shift+Z)"));
  connect(undoB, &QToolButton::clicked, undo_, &QUndoStack::undo);
  connect(redoB, &QToolButton::clicked, undo_, &QUndoStack::redo);
  connect(undo_, &QUndoStack::canUndoChanged, undoB, &QWidget::setEnabled);
  connect(undo_, &QUndoStack::canRedoChanged, redoB, &QWidget::setEnabled);
  undoB->setEnabled(false);
  redoB->setEnabled(false);
  auto* undoAct = undo_->createUndoAction(this);
  auto* redoAct = undo_->createRedoAction(this);
  undoAct->setShortcut(QKeySequence::Undo);
  redoAct->setShortcut(QKeySequence::Redo);
  undoAct->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  redoAct->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  addAction(undoAct);
  addAction(redoAct);
}

QWidget* ObjectiveDesigner::buildGridBox() {
  auto* grid = new QGroupBox(tr("Grid"));
  auto* gl = new QHBoxLayout(grid);
  rows_ = new QSpinBox;
  cols_ = new QSpinBox;
  for (auto* s : {rows_, cols_}) s->setRange(1, kMaxSide);
  gl->addWidget(new QLabel(tr("Rows")));
  gl->addWidget(rows_);
  gl->addWidget(new QLabel(tr("Cols")));
  gl->addWidget(cols_);
  auto* resize = new QPushButton(tr("Resize"));
  gl->addWidget(resize);
  connect(resize, &QPushButton::clicked, this,
          [this] { resizeGrid(rows_->value(), cols_->value()); });
  return grid;
}

QWidget* ObjectiveDesigner::buildSourcesBox() {
  auto* presets = new QGroupBox(tr("Sources"));
  auto* pl = new QFormLayout(presets);
  auto* sixty = new QPushButton(tr("The paper's \"67\" (6×7)"));
  connect(sixty, &QPushButton::clicked, this, &ObjectiveDesigner::loadSixtySeven);
  pl->addRow(sixty);
  addQrRows(pl);
  addTextRows(pl);
  addPngRow(pl);
  return presets;
}

void ObjectiveDesigner::addQrRows(QFormLayout* pl) {
  // Defaults as in the qr-tiny preset: a short payload at EC level H survives the most wrong
  // modules (docs/results.md (c): 15 of 441 flipped still scan, against 5 for "dpg workbench" at
  // level L).
  qr_text_ = new QLineEdit(QStringLiteral("DPG"));
  qr_ec_ = new QComboBox;
  qr_ec_->addItems(
      {QStringLiteral("L"), QStringLiteral("M"), QStringLiteral("Q"), QStringLiteral("H")});
  qr_ec_->setCurrentText(QStringLiteral("H"));
  qr_version_ = new QSpinBox;
  qr_version_->setRange(0, 11);  // 11 = 61×61, the largest that fits 64×64
  qr_version_->setValue(1);
  qr_version_->setSpecialValueText(tr("smallest"));
  auto* qrRow = new QHBoxLayout;
  qrRow->addWidget(new QLabel(tr("EC")));
  qrRow->addWidget(qr_ec_);
  qrRow->addWidget(new QLabel(tr("Version")));
  qrRow->addWidget(qr_version_);
  auto* qrB = new QPushButton(tr("Make QR"));
  qrRow->addWidget(qrB);
  pl->addRow(tr("QR text"), qr_text_);
  pl->addRow(qrRow);
  connect(qrB, &QPushButton::clicked, this, [this] {
    try {
      makeQr(qr_text_->text(), qr_ec_->currentText().at(0).toLatin1(), qr_version_->value());
      error_label_->clear();
    } catch (const std::exception& e) {
      error_label_->setText(qs(e.what()));
    }
  });
}

void ObjectiveDesigner::addTextRows(QFormLayout* pl) {
  text_ = new QLineEdit(QStringLiteral("67"));
  font_ = new QFontComboBox;
  threshold_ = new QSpinBox;
  threshold_->setRange(1, 254);
  threshold_->setValue(128);
  auto* textRow = new QHBoxLayout;
  textRow->addWidget(new QLabel(tr("Threshold")));
  textRow->addWidget(threshold_);
  auto* textB = new QPushButton(tr("Render text"));
  textRow->addWidget(textB);
  pl->addRow(tr("Text"), text_);
  pl->addRow(tr("Font"), font_);
  pl->addRow(textRow);
  connect(textB, &QPushButton::clicked, this, [this] {
    makeText(text_->text(), font_->currentFont(), threshold_->value(), rows_->value());
  });
}

void ObjectiveDesigner::addPngRow(QFormLayout* pl) {
  auto* pngRow = new QHBoxLayout;
  auto* importB = new QPushButton(tr("Import PNG…"));
  auto* exportB = new QPushButton(tr("Export PNG…"));
  pngRow->addWidget(importB);
  pngRow->addWidget(exportB);
  pl->addRow(pngRow);
  connect(importB, &QPushButton::clicked, this, [this] {
    const QString f =
        QFileDialog::getOpenFileName(this, tr("Import PNG"), {}, tr("PNG images (*.png)"));
    if (f.isEmpty()) return;
    try {
      importPng(f, threshold_->value());
      error_label_->clear();
    } catch (const std::exception& e) {
      error_label_->setText(qs(e.what()));
    }
  });
  connect(exportB, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getSaveFileName(
        this, tr("Export PNG"), QStringLiteral("target.png"), tr("PNG images (*.png)"));
    if (f.isEmpty()) return;
    try {
      exportPng(f);
    } catch (const std::exception& e) {
      error_label_->setText(qs(e.what()));
    }
  });
}

QWidget* ObjectiveDesigner::buildPatchBox() {
  auto* patch = new QGroupBox(tr("LM-head patch"));
  auto* fl = new QFormLayout(patch);
  token_offset_ = new QSpinBox;
  token_offset_->setRange(0, 1000000);
  token_offset_->setValue(33);
  dim_offset_ = new QSpinBox;
  dim_offset_->setRange(0, 100000);
  sharpness_ = new QDoubleSpinBox;
  sharpness_->setRange(0.01, 1000);
  sharpness_->setValue(20);
  fl->addRow(tr("First token id (column 0)"), token_offset_);
  fl->addRow(tr("First hidden dim (row 0)"), dim_offset_);
  fl->addRow(tr("Sharpness s"), sharpness_);
  patch_label_ = new QLabel;
  patch_label_->setWordWrap(true);
  valid_label_ = new QLabel;
  valid_label_->setWordWrap(true);
  fl->addRow(patch_label_);
  fl->addRow(valid_label_);
  auto* use = new QPushButton(tr("Use in run setup"));
  use->setToolTip(tr("Set the run's objective to this bitmap and patch"));
  fl->addRow(use);
  connect(use, &QPushButton::clicked, this, [this] { Q_EMIT useInRun(objectiveParams()); });
  return patch;
}

const objective::Bitmap& ObjectiveDesigner::bitmap() const {
  return canvas_->bitmap();
}

void ObjectiveDesigner::setBitmapUndoable(const objective::Bitmap& b, const QString& what) {
  undo_->push(new ReplaceBitmapCommand(canvas_, fitToMax(b), what));
}

void ObjectiveDesigner::resizeGrid(int rows, int cols) {
  rows = std::clamp(rows, 1, kMaxSide);
  cols = std::clamp(cols, 1, kMaxSide);
  const auto& old = bitmap();
  objective::Bitmap b(rows, cols);
  for (int r = 0; r < std::min(rows, old.rows()); ++r)
    for (int c = 0; c < std::min(cols, old.cols()); ++c) b.set(r, c, old.dark(r, c));
  setBitmapUndoable(b, tr("Resize to %1×%2").arg(rows).arg(cols));
}

void ObjectiveDesigner::clearFocus() {
  if (!canvas_->focus().empty()) undo_->push(new FocusCommand(canvas_, {}, tr("Clear focus")));
}

void ObjectiveDesigner::invert() {
  undo_->push(new InvertCommand(canvas_));
}

void ObjectiveDesigner::clearGrid() {
  setBitmapUndoable(objective::Bitmap(bitmap().rows(), bitmap().cols()), tr("Clear"));
}

void ObjectiveDesigner::loadSixtySeven() {
  setBitmapUndoable(objective::sixty_seven(), tr("\"67\""));
}

void ObjectiveDesigner::makeQr(const QString& text, char ecLevel, int version) {
  auto b = objective::make_qr(text.toStdString(), {ecLevel, version});
  if (b.rows() > kMaxSide)
    throw std::invalid_argument("QR code is " + std::to_string(b.rows()) +
                                " modules a side; the grid holds 64");
  setBitmapUndoable(b, tr("QR code"));
}

void ObjectiveDesigner::makeText(const QString& text, const QFont& baseFont, int threshold,
                                 int rows) {
  if (text.isEmpty()) return;
  rows = std::clamp(rows, 5, kMaxSide);
  QFont font = baseFont;
  font.setPixelSize(rows);
  font.setStyleStrategy(QFont::NoAntialias);
  const QFontMetrics fm(font);
  const int cols = std::clamp(fm.horizontalAdvance(text), 1, kMaxSide);
  QImage img(cols, rows, QImage::Format_Grayscale8);
  img.fill(255);
  {
    QPainter p(&img);
    p.setFont(font);
    p.setPen(Qt::black);
    p.drawText(QRect(0, 0, cols, rows), Qt::AlignCenter, text);
  }
  objective::Bitmap b(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) b.set(r, c, qGray(img.pixel(c, r)) < threshold);
  setBitmapUndoable(b, tr("Text \"%1\"").arg(text));
}

void ObjectiveDesigner::importPng(const QString& path, int threshold) {
  setBitmapUndoable(objective::read_png(path.toStdString(), threshold),
                    tr("Import %1").arg(QFileInfo(path).fileName()));
}

void ObjectiveDesigner::exportPng(const QString& path, int scale) const {
  objective::write_png(bitmap(), path.toStdString(), scale, 0);
}

void ObjectiveDesigner::setTargetDims(int64_t vocab, int64_t hidden, const QString& modelName) {
  vocab_ = vocab;
  hidden_ = hidden;
  model_name_ = modelName;
  refresh();
}

void ObjectiveDesigner::setTargetModel(const QString& nameOrPath) {
  int64_t vocab = 0, hidden = 0;
  try {
    const std::string path = resources::resolve_model_path(nameOrPath.toStdString());
    std::ifstream in(path + "/config.json");
    if (in) {
      const auto cfg = model::ModelConfig::from_hf_json(nlohmann::json::parse(in));
      vocab = cfg.vocab_size;
      hidden = cfg.d_model;
    }
  } catch (const std::exception&) {
    // Unknown dimensions: the engine checks when the run starts.
  }
  setTargetDims(vocab, hidden, nameOrPath);
}

QString ObjectiveDesigner::validationMessage() const {
  const auto& b = bitmap();
  const int64_t h = b.rows(), w = b.cols();
  if (b.dark_count() == 0 || b.dark_count() == b.rows() * b.cols())
    return tr("the target image is all one colour");
  if (hidden_ > 0 && dim_offset_->value() + h > hidden_) {
    if (dim_offset_->value() == 0)
      return tr("patch needs %1 hidden dims; this target has %2").arg(h).arg(hidden_);
    return tr("patch needs hidden dims %1..%2; this target has %3")
        .arg(dim_offset_->value())
        .arg(dim_offset_->value() + h - 1)
        .arg(hidden_);
  }
  try {  // the core's own check, so the designer and a run give the same message
    objective::focus_from_json(objective::focus_to_json(canvas_->focus()), int(h), int(w));
  } catch (const std::invalid_argument& e) {
    return QStringLiteral("focus: ") + qs(e.what());
  }
  if (vocab_ > 0 && token_offset_->value() + w > vocab_)
    return tr("patch needs token ids %1..%2; this target's vocabulary has %3")
        .arg(token_offset_->value())
        .arg(token_offset_->value() + w - 1)
        .arg(vocab_);
  return {};
}

void ObjectiveDesigner::refresh() {
  const auto& b = bitmap();
  {
    QSignalBlocker br(rows_), bc(cols_);
    rows_->setValue(b.rows());
    cols_->setValue(b.cols());
  }
  size_label_->setText(
      tr("%1 rows × %2 columns, %3 dark").arg(b.rows()).arg(b.cols()).arg(b.dark_count()));
  QString patch = tr("Patch: token ids %1–%2 (columns), hidden dims %3–%4 (rows).")
                      .arg(token_offset_->value())
                      .arg(token_offset_->value() + b.cols() - 1)
                      .arg(dim_offset_->value())
                      .arg(dim_offset_->value() + b.rows() - 1);
  if (hidden_ > 0)
    patch +=
        QLatin1Char(' ') +
        tr("Target %1: vocabulary %2, hidden size %3.").arg(model_name_).arg(vocab_).arg(hidden_);
  else
    patch += QLatin1Char(' ') + tr("Target dimensions unknown (checked when the run starts).");
  if (const int n = focusCount(); n > 0)
    patch += QLatin1Char(' ') + tr("Focus: %n pixel(s) weighted in Φ (1 elsewhere).", nullptr, n);
  patch_label_->setText(patch);
  const QString msg = validationMessage();
  valid_label_->setText(msg.isEmpty() ? tr("✔ the patch fits the target")
                                      : QStringLiteral("✖ ") + msg);
  valid_label_->setStyleSheet(msg.isEmpty() ? QStringLiteral("color: #1b7a1b")
                                            : QStringLiteral("color: #b00020; font-weight: bold"));
  Q_EMIT changed();
}

nlohmann::json ObjectiveDesigner::objectiveParams() const {
  const auto& b = bitmap();
  nlohmann::json p{{"source", "bitmap"},
                   {"bits", b.to_strings('#', '.')},
                   {"rows", b.rows()},
                   {"cols", b.cols()},
                   {"token_offset", token_offset_->value()},
                   {"dim_offset", dim_offset_->value()},
                   {"sharpness", sharpness_->value()}};
  if (!canvas_->focus().empty()) p["focus"] = objective::focus_to_json(canvas_->focus());
  return p;
}

int ObjectiveDesigner::focusCount() const {
  return int(canvas_->focus().size());
}

void ObjectiveDesigner::setObjectiveParams(const nlohmann::json& params) {
  try {
    const auto b = objective::bitmap_from_any_params(params);
    std::vector<objective::FocusPixel> focus;
    try {
      focus =
          objective::focus_from_json(params.value("focus", nlohmann::json()), b.rows(), b.cols());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("focus: ") + e.what());
    }
    if (params.contains("token_offset")) token_offset_->setValue(params["token_offset"].get<int>());
    if (params.contains("dim_offset")) dim_offset_->setValue(params["dim_offset"].get<int>());
    if (params.contains("sharpness")) sharpness_->setValue(params["sharpness"].get<double>());
    // One undo step restores both the image and the focus it came with.
    undo_->beginMacro(tr("Load from config"));
    setBitmapUndoable(b, tr("Load from config"));
    undo_->push(new FocusCommand(canvas_, std::move(focus), tr("Load focus")));
    undo_->endMacro();
    error_label_->clear();
  } catch (const std::exception& e) {
    error_label_->setText(qs(e.what()));
  }
}

}  // namespace dpg::ui
