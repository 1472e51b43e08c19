// SPDX-License-Identifier: MIT
#pragma once
/// @file ObjectiveDesigner: draws the target image Y of the LM-head bitmap objective and places its
/// patch (token/hidden offsets) against the target model, validating inline. Bitmaps, QR codes,
/// "67" and PNG files go through core/objective/bitmap.h, so the CLI and the GUI share targets.
#include "core/objective/bitmap.h"

#include <nlohmann/json.hpp>

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFontComboBox;
class QFormLayout;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QUndoStack;

namespace dpg::ui {

class BitmapCanvas;

class ObjectiveDesigner : public QWidget {
  Q_OBJECT
 public:
  explicit ObjectiveDesigner(QWidget* parent = nullptr);

  BitmapCanvas* canvas() const { return canvas_; }
  QUndoStack* undoStack() const { return undo_; }
  const objective::Bitmap& bitmap() const;

  // Edits (each one undoable).
  void resizeGrid(int rows, int cols);
  void invert();
  void clearGrid();
  void loadSixtySeven();
  /// Throws std::invalid_argument (shown inline by the UI) when the text does not fit.
  void makeQr(const QString& text, char ecLevel, int version);
  void makeText(const QString& text, const QFont& font, int threshold, int rows);
  void importPng(const QString& path, int threshold = 128);
  void exportPng(const QString& path, int scale = 10) const;
  void setBitmapUndoable(const objective::Bitmap& b, const QString& what);

  /// Target model dimensions for the patch check (0 = unknown).
  void setTargetDims(int64_t vocab, int64_t hidden, const QString& modelName);
  /// Reads the dimensions from a model folder's config.json (GGUF: unknown).
  void setTargetModel(const QString& nameOrPath);
  /// Empty when the patch fits, else the reason ("patch needs 21 hidden dims; this target has 16").
  QString validationMessage() const;

  /// lmhead_bitmap parameters: {"source":"bitmap","bits":[...],"rows","cols","token_offset",...},
  /// and the per-pixel "focus" when any pixel has one.
  nlohmann::json objectiveParams() const;
  /// Loads lmhead_bitmap parameters (any source) into the editor.
  void setObjectiveParams(const nlohmann::json& params);
  /// Number of focused pixels (edited with the Focus tool, or loaded with the parameters).
  int focusCount() const;
  /// Removes every focus weight (undoable).
  void clearFocus();

 Q_SIGNALS:
  /// The user pressed "Use in run".
  void useInRun(const nlohmann::json& params);
  void changed();

 private:
  // Construction, a part of the page each.
  void addDrawingTools(QHBoxLayout* tools);  ///< Paint / Erase / Focus and the focus weight
  void addEditButtons(QHBoxLayout* tools);   ///< clear focus, invert, clear, undo, redo
  QWidget* buildGridBox();
  QWidget* buildSourcesBox();  ///< "67", QR code, rendered text, PNG import/export
  void addQrRows(QFormLayout* form);
  void addTextRows(QFormLayout* form);
  void addPngRow(QFormLayout* form);
  QWidget* buildPatchBox();  ///< token/hidden offsets, sharpness, the fit check, "Use in run setup"
  void refresh();
  QUndoStack* undo_ = nullptr;
  BitmapCanvas* canvas_ = nullptr;
  QSpinBox* rows_ = nullptr;
  QSpinBox* cols_ = nullptr;
  QLineEdit* qr_text_ = nullptr;
  QComboBox* qr_ec_ = nullptr;
  QSpinBox* qr_version_ = nullptr;
  QLineEdit* text_ = nullptr;
  QFontComboBox* font_ = nullptr;
  QSpinBox* threshold_ = nullptr;
  QSpinBox* token_offset_ = nullptr;
  QSpinBox* dim_offset_ = nullptr;
  QDoubleSpinBox* sharpness_ = nullptr;
  QDoubleSpinBox* focus_weight_ = nullptr;
  QLabel* size_label_ = nullptr;
  QLabel* patch_label_ = nullptr;
  QLabel* valid_label_ = nullptr;
  QLabel* error_label_ = nullptr;
  int64_t vocab_ = 0;
  int64_t hidden_ = 0;
  QString model_name_;
};

}  // namespace dpg::ui
