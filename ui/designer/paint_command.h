// SPDX-License-Identifier: MIT
#pragma once
/// @file PaintCommand: one paint or erase stroke (the cells it changed and their old values).
#include <QUndoCommand>

#include <utility>
#include <vector>

namespace dpg::ui {

class BitmapCanvas;

class PaintCommand : public QUndoCommand {
 public:
  PaintCommand(BitmapCanvas* canvas, std::vector<std::pair<int, int>> cells, bool dark);
  void redo() override;
  void undo() override;

 private:
  BitmapCanvas* canvas_;
  std::vector<std::pair<int, int>> cells_;
  std::vector<bool> before_;
  bool dark_;
};

}  // namespace dpg::ui
