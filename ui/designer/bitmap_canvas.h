// SPDX-License-Identifier: MIT
#pragma once
/// @file BitmapCanvas: the designer's grid. Click-drag paints (left button) or erases (right
/// button, or left with the erase tool); each finished stroke becomes one PaintCommand on the undo
/// stack. The canvas only draws and reports; edits go through QUndoCommands.
#include "core/objective/bitmap.h"

#include <QWidget>

#include <utility>
#include <vector>

class QUndoStack;

namespace dpg::ui {

class BitmapCanvas : public QWidget {
  Q_OBJECT
 public:
  BitmapCanvas(QUndoStack* undo, QWidget* parent = nullptr);

  const objective::Bitmap& bitmap() const { return bitmap_; }
  /// Sets the bitmap without an undo entry (commands call this).
  void setBitmap(const objective::Bitmap& bitmap);
  void setCell(int r, int c, bool dark);
  void setEraseMode(bool erase) { erase_ = erase; }
  bool eraseMode() const { return erase_; }
  /// The cell under a widget position, or (-1, -1).
  std::pair<int, int> cellAt(QPoint pos) const;
  /// The centre of a cell in widget coordinates (tests drive the mouse with it).
  QPoint cellCenter(int r, int c) const;
  QSize sizeHint() const override { return {420, 420}; }

 Q_SIGNALS:
  void bitmapChanged();

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;

 private:
  QRect gridRect() const;
  void strokeTo(QPoint pos);

  QUndoStack* undo_;
  objective::Bitmap bitmap_{7, 6};
  bool erase_ = false;
  bool stroking_ = false;
  bool stroke_value_ = true;
  struct Change {
    int r, c;
    bool before;
  };
  std::vector<Change> stroke_;
};

}  // namespace dpg::ui
