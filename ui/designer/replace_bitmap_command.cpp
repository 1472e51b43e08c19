// SPDX-License-Identifier: MIT
#include "ui/designer/replace_bitmap_command.h"

#include "ui/designer/bitmap_canvas.h"

namespace dpg::ui {

ReplaceBitmapCommand::ReplaceBitmapCommand(BitmapCanvas* canvas, objective::Bitmap after,
                                           const QString& text)
    : canvas_(canvas), before_(canvas->bitmap()), after_(std::move(after)) {
  setText(text);
}

void ReplaceBitmapCommand::redo() {
  canvas_->setBitmap(after_);
}
void ReplaceBitmapCommand::undo() {
  canvas_->setBitmap(before_);
}

}  // namespace dpg::ui
