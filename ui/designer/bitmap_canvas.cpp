// SPDX-License-Identifier: MIT
#include "ui/designer/bitmap_canvas.h"

#include "ui/designer/focus_command.h"
#include "ui/designer/paint_command.h"

#include <QMouseEvent>
#include <QPainter>
#include <QUndoStack>

#include <algorithm>

namespace dpg::ui {

BitmapCanvas::BitmapCanvas(QUndoStack* undo, QWidget* parent) : QWidget(parent), undo_(undo) {
  setMinimumSize(200, 200);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setCursor(Qt::CrossCursor);
  setFocusPolicy(
      Qt::StrongFocus);  // a click gives it the keyboard, so the P / E / F tool keys work
  setToolTip(
      tr("Left-drag paints (erases with the Erase tool); right-drag erases. With the Focus tool a "
         "click "
         "weights a pixel in Φ; a second click or a right click removes the weight"));
}

void BitmapCanvas::setFocusPixels(std::vector<objective::FocusPixel> focus) {
  focus_ = std::move(focus);
  update();
  Q_EMIT focusChanged();
}

void BitmapCanvas::setBitmap(const objective::Bitmap& bitmap) {
  bitmap_ = bitmap;
  update();
  Q_EMIT bitmapChanged();
}

void BitmapCanvas::setCell(int r, int c, bool dark) {
  bitmap_.set(r, c, dark);
  update();
  Q_EMIT bitmapChanged();
}

QRect BitmapCanvas::gridRect() const {
  if (bitmap_.empty()) return {};
  const int cell =
      std::max(1, std::min((width() - 2) / bitmap_.cols(), (height() - 2) / bitmap_.rows()));
  const int w = cell * bitmap_.cols(), h = cell * bitmap_.rows();
  return {(width() - w) / 2, (height() - h) / 2, w, h};
}

std::pair<int, int> BitmapCanvas::cellAt(QPoint pos) const {
  const QRect g = gridRect();
  if (!g.contains(pos)) return {-1, -1};
  const int cell = g.width() / bitmap_.cols();
  return {std::min((pos.y() - g.top()) / cell, bitmap_.rows() - 1),
          std::min((pos.x() - g.left()) / cell, bitmap_.cols() - 1)};
}

QPoint BitmapCanvas::cellCenter(int r, int c) const {
  const QRect g = gridRect();
  const int cell = g.width() / std::max(1, bitmap_.cols());
  return {g.left() + c * cell + cell / 2, g.top() + r * cell + cell / 2};
}

void BitmapCanvas::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  const QRect g = gridRect();
  if (g.isEmpty()) return;
  const int cell = g.width() / bitmap_.cols();
  for (int r = 0; r < bitmap_.rows(); ++r)
    for (int c = 0; c < bitmap_.cols(); ++c)
      p.fillRect(g.left() + c * cell, g.top() + r * cell, cell, cell,
                 bitmap_.dark(r, c) ? QColor(25, 25, 25) : QColor(250, 250, 250));
  if (cell >= 6) {
    p.setPen(QColor(200, 200, 200));
    for (int r = 0; r <= bitmap_.rows(); ++r)
      p.drawLine(g.left(), g.top() + r * cell, g.left() + g.width(), g.top() + r * cell);
    for (int c = 0; c <= bitmap_.cols(); ++c)
      p.drawLine(g.left() + c * cell, g.top(), g.left() + c * cell, g.top() + g.height());
  }
  p.setPen(QColor(120, 120, 120));
  p.drawRect(g.adjusted(0, 0, -1, -1));
  // Focused pixels: an amber frame (readable on dark and light cells) and, when the cell is large
  // enough, the weight.
  const QColor amber(240, 160, 32);
  const int frame = std::max(2, cell / 12);
  QFont small = font();
  small.setPixelSize(std::max(8, cell / 3));
  p.setFont(small);
  for (const auto& f : focus_) {
    if (f.row >= bitmap_.rows() || f.col >= bitmap_.cols())
      continue;  // outside after a resize: the designer says so
    const QRect cr(g.left() + f.col * cell, g.top() + f.row * cell, cell, cell);
    p.setPen(QPen(amber, frame));
    p.setBrush(Qt::NoBrush);
    p.drawRect(cr.adjusted(frame / 2 + 1, frame / 2 + 1, -frame / 2 - 1, -frame / 2 - 1));
    if (cell >= 22) {
      p.setPen(amber);
      p.drawText(cr.adjusted(frame + 2, frame, -frame - 2, -frame),
                 Qt::AlignRight | Qt::AlignBottom, QStringLiteral("×%1").arg(f.weight, 0, 'g', 3));
    }
  }
}

void BitmapCanvas::mousePressEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton && e->button() != Qt::RightButton) return;
  if (tool_ == Tool::Focus) {
    focusClick(e->position().toPoint(), e->button() == Qt::RightButton);
    return;
  }
  stroking_ = true;
  stroke_value_ = e->button() == Qt::LeftButton && tool_ != Tool::Erase;
  stroke_.clear();
  strokeTo(e->position().toPoint());
}

void BitmapCanvas::mouseMoveEvent(QMouseEvent* e) {
  if (stroking_) strokeTo(e->position().toPoint());
}

void BitmapCanvas::strokeTo(QPoint pos) {
  auto [r, c] = cellAt(pos);
  if (r < 0) return;
  if (bitmap_.dark(r, c) == stroke_value_) return;
  stroke_.push_back({r, c, bitmap_.dark(r, c)});
  setCell(r, c, stroke_value_);  // immediate feedback; the command below records it
}

void BitmapCanvas::focusClick(QPoint pos, bool remove) {
  auto [r, c] = cellAt(pos);
  if (r < 0) return;
  const bool listed = objective::is_focused(focus_, r, c);
  // A second click with the same weight removes the pixel, as a right click does.
  if (listed && objective::focus_weight(focus_, r, c) == focus_weight_) remove = true;
  if (remove && !listed) return;
  const QString what = remove
                           ? tr("Unfocus (%1, %2)").arg(r).arg(c)
                           : tr("Focus (%1, %2) ×%3").arg(r).arg(c).arg(focus_weight_, 0, 'g', 3);
  undo_->push(new FocusCommand(
      this, objective::with_focus(focus_, r, c, remove ? -1.0 : focus_weight_), what));
}

void BitmapCanvas::mouseReleaseEvent(QMouseEvent*) {
  if (!stroking_) return;
  stroking_ = false;
  if (stroke_.empty()) return;
  std::vector<std::pair<int, int>> cells;
  for (auto it = stroke_.rbegin(); it != stroke_.rend(); ++it)
    bitmap_.set(it->r, it->c, it->before);
  for (const auto& ch : stroke_) cells.emplace_back(ch.r, ch.c);
  stroke_.clear();
  undo_->push(new PaintCommand(this, std::move(cells), stroke_value_));  // redo() re-applies
}

}  // namespace dpg::ui
