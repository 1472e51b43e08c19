// SPDX-License-Identifier: MIT
#pragma once
/// @file FocusCommand: one change of the per-pixel focus (a click of the Focus tool, a load or
/// "Clear focus").
#include "core/objective/focus.h"

#include <QUndoCommand>

#include <vector>

namespace dpg::ui {

class BitmapCanvas;

class FocusCommand : public QUndoCommand {
 public:
  FocusCommand(BitmapCanvas* canvas, std::vector<objective::FocusPixel> after, const QString& text);
  void redo() override;
  void undo() override;

 private:
  BitmapCanvas* canvas_;
  std::vector<objective::FocusPixel> before_;
  std::vector<objective::FocusPixel> after_;
};

}  // namespace dpg::ui
