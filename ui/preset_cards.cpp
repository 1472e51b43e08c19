// SPDX-License-Identifier: MIT
#include "ui/preset_cards.h"

#include "core/objective/bitmap_params.h"
#include "core/resources/resources.h"
#include "ui/objective_kinds.h"
#include "ui/types.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QVBoxLayout>

#include <algorithm>
#include <filesystem>

namespace dpg::ui {

namespace {
constexpr int kThumb = 84;  ///< thumbnail edge in pixels
constexpr int kColumns = 2;

/// A model as the card names it: the last path component ("models/tiny-gen" → "tiny-gen").
QString shortModel(const std::string& model) {
  return qs(std::filesystem::path(model).filename().string());
}

/// Whether @p model can be found on this machine, and how to get it when it cannot.
QString modelMissing(const std::string& model) {
  try {
    resources::resolve_model_path(model);
    return {};
  } catch (const std::exception& e) {
    return qs(e.what());
  }
}

/// A grey tile naming the objective, for objectives that draw no image.
QImage placeholder(const std::string& kind, int size) {
  QImage img(size, size, QImage::Format_RGB32);
  img.fill(QColor(236, 236, 236));
  QPainter p(&img);
  p.setPen(QColor(120, 120, 120));
  QFont f = p.font();
  f.setPixelSize(size / 3);
  p.setFont(f);
  p.drawText(QRect(0, 0, size, size * 2 / 3), Qt::AlignCenter, QStringLiteral("Φ"));
  f.setPixelSize(std::max(8, size / 9));
  p.setFont(f);
  p.drawText(QRect(2, size / 2, size - 4, size / 2), Qt::AlignCenter | Qt::TextWordWrap, qs(kind));
  return img;
}
}  // namespace

QImage PresetCards::thumbnail(const config::PresetInfo& info, int size) {
  if (!designerEdits(info.objective) || !info.params.is_object()) return {};
  try {
    const auto bitmap = objective::bitmap_from_any_params(info.params);
    if (bitmap.empty()) return {};
    QImage img(bitmap.cols(), bitmap.rows(), QImage::Format_RGB32);
    for (int r = 0; r < bitmap.rows(); ++r)
      for (int c = 0; c < bitmap.cols(); ++c)
        img.setPixel(c, r, bitmap.dark(r, c) ? qRgb(20, 20, 20) : qRgb(255, 255, 255));
    return img.scaled(size, size, Qt::KeepAspectRatio, Qt::FastTransformation);
  } catch (const std::exception&) {
    return {};
  }
}

QString PresetCards::modelsLine(const config::PresetInfo& info, QString* why) {
  const QString names =
      QObject::tr("%1 writes, %2 learns").arg(shortModel(info.generator), shortModel(info.target));
  QStringList missing, reasons;
  for (const auto& m : {info.generator, info.target})
    if (const QString reason = modelMissing(m); !reason.isEmpty())
      missing << shortModel(m), reasons << reason;
  if (why) *why = reasons.join(QLatin1Char('\n'));
  if (missing.isEmpty()) return QObject::tr("Models: %1 (on this machine)").arg(names);
  return QObject::tr("Models: %1. Not on this machine: %2")
      .arg(names, missing.join(QStringLiteral(", ")));
}

PresetCard::PresetCard(const config::PresetInfo& info, QWidget* parent)
    : QFrame(parent), name_(qs(info.name)) {
  setObjectName(QStringLiteral("presetCard"));
  setFrameShape(QFrame::StyledPanel);
  setFocusPolicy(Qt::StrongFocus);
  setCursor(Qt::PointingHandCursor);
  setToolTip(qs(info.description));
  auto* row = new QHBoxLayout(this);
  auto* thumb = new QLabel;
  QImage img = PresetCards::thumbnail(info, kThumb);
  has_thumbnail_ = !img.isNull();
  if (img.isNull()) img = placeholder(info.objective, kThumb);
  thumb->setPixmap(QPixmap::fromImage(img));
  thumb->setFixedSize(kThumb + 4, kThumb + 4);
  thumb->setAlignment(Qt::AlignCenter);
  thumb->setStyleSheet(QStringLiteral("border: 1px solid #c8c8c8; background: white"));
  row->addWidget(thumb, 0, Qt::AlignTop);

  auto* col = new QVBoxLayout;
  col->setSpacing(3);
  QString why;
  const QString models = PresetCards::modelsLine(info, &why);
  const bool missing = !why.isEmpty();
  const QString purpose = qs(info.purpose.empty() ? info.description : info.purpose);
  const QString expect = qs(info.expect);
  auto* title = new QLabel(QStringLiteral("<b>%1</b>").arg(name_.toHtmlEscaped()));
  auto* what = new QLabel(purpose);
  auto* when = new QLabel(tr("<b>Expect:</b> %1").arg(expect.toHtmlEscaped()));
  auto* needs = new QLabel(models);
  needs->setStyleSheet(missing ? QStringLiteral("color: #a04000") : QStringLiteral("color: #555"));
  if (missing) setToolTip(qs(info.description) + QStringLiteral("\n\n") + why);
  for (auto* l : {title, what, when, needs}) {
    l->setWordWrap(true);
    l->setAttribute(Qt::WA_TransparentForMouseEvents);
    col->addWidget(l);
  }
  col->addStretch();
  row->addLayout(col, 1);
  text_ = QStringList{name_, purpose, expect, models}.join(QLatin1Char('\n'));
  setSelected(false);
}

void PresetCard::setSelected(bool on) {
  selected_ = on;
  setStyleSheet(
      on ? QStringLiteral("QFrame#presetCard { border: 2px solid #2a6fdb; border-radius: 6px; "
                          "background: #eaf1fd }")
         : QStringLiteral("QFrame#presetCard { border: 1px solid #c8c8c8; border-radius: 6px; "
                          "background: palette(base) }"));
}

void PresetCard::mousePressEvent(QMouseEvent* e) {
  if (e->button() == Qt::LeftButton) Q_EMIT clicked(name_);
  QFrame::mousePressEvent(e);
}

void PresetCard::mouseDoubleClickEvent(QMouseEvent* e) {
  if (e->button() == Qt::LeftButton) Q_EMIT activated(name_);
}

void PresetCard::keyPressEvent(QKeyEvent* e) {
  if (e->key() == Qt::Key_Return || e->key() == Qt::Key_Enter) {
    Q_EMIT activated(name_);
    return;
  }
  if (e->key() == Qt::Key_Space) {
    Q_EMIT clicked(name_);
    return;
  }
  QFrame::keyPressEvent(e);
}

PresetCards::PresetCards(QWidget* parent) : QWidget(parent) {
  auto* grid = new QGridLayout(this);
  grid->setSpacing(8);
  grid->setContentsMargins(0, 0, 0, 0);
  // Presets that run on this machine first (the default leading), then those that need models it
  // lacks.
  auto presets = config::list_presets();
  std::stable_partition(presets.begin(), presets.end(), [](const config::PresetInfo& p) {
    QString why;
    modelsLine(p, &why);
    return why.isEmpty();
  });
  for (const auto& info : presets) {
    auto* card = new PresetCard(info, this);
    const int i = int(cards_.size());
    grid->addWidget(card, i / kColumns, i % kColumns);
    cards_.push_back(card);
    connect(card, &PresetCard::clicked, this, [this](const QString& name) {
      select(name);
      if (auto* c = this->card(name)) c->setFocus();
    });
    connect(card, &PresetCard::activated, this, [this](const QString& name) {
      select(name);
      Q_EMIT activated(name);
    });
  }
  grid->setRowStretch(int(cards_.size() + kColumns - 1) / kColumns, 1);
  select(qs(config::kDefaultPreset));
}

QString PresetCards::selected() const {
  for (auto* c : cards_)
    if (c->isSelected()) return c->name();
  return {};
}

void PresetCards::select(const QString& name) {
  if (!card(name) || selected() == name) return;
  for (auto* c : cards_) c->setSelected(c->name() == name);
  Q_EMIT selectionChanged(name);
}

QStringList PresetCards::names() const {
  QStringList out;
  for (auto* c : cards_) out << c->name();
  return out;
}

PresetCard* PresetCards::card(const QString& name) const {
  for (auto* c : cards_)
    if (c->name() == name) return c;
  return nullptr;
}

}  // namespace dpg::ui
