// SPDX-License-Identifier: MIT
#pragma once
/// @file ReplaceBitmapCommand: replaces the whole bitmap (clear, resize, QR, "67", text, PNG
/// import).
#include "core/objective/bitmap.h"

#include <QUndoCommand>

namespace dpg::ui {

class BitmapCanvas;

class ReplaceBitmapCommand : public QUndoCommand {
 public:
  ReplaceBitmapCommand(BitmapCanvas* canvas, objective::Bitmap after, const QString& text);
  void redo() override;
  void undo() override;

 private:
  BitmapCanvas* canvas_;
  objective::Bitmap before_;
  objective::Bitmap after_;
};

}  // namespace dpg::ui
