// SPDX-License-Identifier: MIT
#include "ui/designer/focus_command.h"

#include "ui/designer/bitmap_canvas.h"

namespace dpg::ui {

FocusCommand::FocusCommand(BitmapCanvas* canvas, std::vector<objective::FocusPixel> after,
                           const QString& text)
    : canvas_(canvas), before_(canvas->focus()), after_(std::move(after)) {
  setText(text);
}

void FocusCommand::redo() {
  canvas_->setFocusPixels(after_);
}
void FocusCommand::undo() {
  canvas_->setFocusPixels(before_);
}

}  // namespace dpg::ui
