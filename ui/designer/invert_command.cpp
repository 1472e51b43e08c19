// SPDX-License-Identifier: MIT
#include "ui/designer/invert_command.h"

#include "ui/designer/bitmap_canvas.h"

#include <QCoreApplication>

namespace dpg::ui {

InvertCommand::InvertCommand(BitmapCanvas* canvas) : canvas_(canvas) {
  setText(QCoreApplication::translate("Designer", "Invert"));
}

void InvertCommand::flip() {
  auto b = canvas_->bitmap();
  for (int r = 0; r < b.rows(); ++r)
    for (int c = 0; c < b.cols(); ++c) b.set(r, c, !b.dark(r, c));
  canvas_->setBitmap(b);
}

}  // namespace dpg::ui
