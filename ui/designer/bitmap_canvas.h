// SPDX-License-Identifier: MIT
#pragma once
/// @file BitmapCanvas: the designer's grid. Click-drag paints (left button) or erases (right
/// button, or left with the erase tool); each finished stroke becomes one PaintCommand on the undo
/// stack. With the focus tool a click gives a cell the current focus weight in Φ (a second click,
/// or a right click, removes it): one FocusCommand. Focused cells carry an amber frame and their
/// weight. The canvas only draws and reports; edits go through QUndoCommands.
#include "core/objective/bitmap.h"
#include "core/objective/focus.h"

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
  enum class Tool { Paint, Erase, Focus };
  void setTool(Tool tool) { tool_ = tool; }
  Tool tool() const { return tool_; }
  /// The weight a focus click gives (≥ 0).
  void setFocusWeight(double weight) { focus_weight_ = weight; }
  double focusWeight() const { return focus_weight_; }
  const std::vector<objective::FocusPixel>& focus() const { return focus_; }
  /// Sets the focus without an undo entry (commands call this).
  void setFocusPixels(std::vector<objective::FocusPixel> focus);
  /// The cell under a widget position, or (-1, -1).
  std::pair<int, int> cellAt(QPoint pos) const;
  /// The centre of a cell in widget coordinates (tests drive the mouse with it).
  QPoint cellCenter(int r, int c) const;
  QSize sizeHint() const override { return {420, 420}; }

 Q_SIGNALS:
  void bitmapChanged();
  void focusChanged();

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;

 private:
  QRect gridRect() const;
  void strokeTo(QPoint pos);
  void focusClick(QPoint pos, bool remove);

  QUndoStack* undo_;
  objective::Bitmap bitmap_{7, 6};
  Tool tool_ = Tool::Paint;
  double focus_weight_ = 5.0;
  std::vector<objective::FocusPixel> focus_;
  bool stroking_ = false;
  bool stroke_value_ = true;
  struct Change {
    int r, c;
    bool before;
  };
  std::vector<Change> stroke_;
};

}  // namespace dpg::ui
