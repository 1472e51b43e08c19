// SPDX-License-Identifier: MIT
#pragma once
/// @file PresetCards: the Start page's presets as cards. Each card shows the target image's
/// thumbnail, the preset's one-line purpose, how long it takes and what the user sees by then, and
/// which models it needs (and whether they are on this machine). One card is selected at a time;
/// the default preset is selected from the start.
#include "core/config/presets.h"

#include <QFrame>
#include <QImage>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

class QGridLayout;

namespace dpg::ui {

/// One preset's card. Clicking selects it, a double click (or Enter) uses it.
class PresetCard : public QFrame {
  Q_OBJECT
 public:
  PresetCard(const config::PresetInfo& info, QWidget* parent = nullptr);
  QString name() const { return name_; }
  void setSelected(bool on);
  bool isSelected() const { return selected_; }
  /// The text the card shows, without markup (tests).
  QString text() const { return text_; }
  /// Whether the card shows the target image (false: a placeholder for objectives without one).
  bool hasThumbnail() const { return has_thumbnail_; }

 Q_SIGNALS:
  void clicked(const QString& name);
  void activated(const QString& name);

 protected:
  void mousePressEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;

 private:
  QString name_;
  QString text_;
  bool selected_ = false;
  bool has_thumbnail_ = false;
};

class PresetCards : public QWidget {
  Q_OBJECT
 public:
  explicit PresetCards(QWidget* parent = nullptr);
  QString selected() const;
  void select(const QString& name);
  QStringList names() const;
  /// The card of @p name, or nullptr.
  PresetCard* card(const QString& name) const;

  /// The target image a preset draws, or a null image when its objective draws none (no bitmap
  /// designer for the kind) or its parameters do not describe one.
  static QImage thumbnail(const config::PresetInfo& info, int size);
  /// "Models: tiny-gen writes, tiny-target learns (on this machine)", or which are not on this
  /// machine; @p why, when given, receives how to get them ("" when none is missing).
  static QString modelsLine(const config::PresetInfo& info, QString* why = nullptr);

 Q_SIGNALS:
  void selectionChanged(const QString& name);
  /// Double click or Enter on a card.
  void activated(const QString& name);

 private:
  std::vector<PresetCard*> cards_;
};

}  // namespace dpg::ui
