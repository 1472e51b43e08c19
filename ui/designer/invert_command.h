// SPDX-License-Identifier: MIT
#pragma once
/// @file InvertCommand: swaps dark and light (its own inverse).
#include <QUndoCommand>

namespace dpg::ui {

class BitmapCanvas;

class InvertCommand : public QUndoCommand {
 public:
  explicit InvertCommand(BitmapCanvas* canvas);
  void redo() override { flip(); }
  void undo() override { flip(); }

 private:
  void flip();
  BitmapCanvas* canvas_;
};

}  // namespace dpg::ui
