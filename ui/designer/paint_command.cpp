// SPDX-License-Identifier: MIT
#include "ui/designer/paint_command.h"

#include "ui/designer/bitmap_canvas.h"

#include <QCoreApplication>

namespace dpg::ui {

PaintCommand::PaintCommand(BitmapCanvas* canvas, std::vector<std::pair<int, int>> cells, bool dark)
    : canvas_(canvas), cells_(std::move(cells)), dark_(dark) {
  for (auto [r, c] : cells_) before_.push_back(canvas_->bitmap().dark(r, c));
  setText(dark ? QCoreApplication::translate("Designer", "Paint %n cell(s)", nullptr,
                                             int(cells_.size()))
               : QCoreApplication::translate("Designer", "Erase %n cell(s)", nullptr,
                                             int(cells_.size())));
}

void PaintCommand::redo() {
  auto b = canvas_->bitmap();
  for (auto [r, c] : cells_) b.set(r, c, dark_);
  canvas_->setBitmap(b);
}

void PaintCommand::undo() {
  auto b = canvas_->bitmap();
  for (size_t i = 0; i < cells_.size(); ++i) b.set(cells_[i].first, cells_[i].second, before_[i]);
  canvas_->setBitmap(b);
}

}  // namespace dpg::ui
