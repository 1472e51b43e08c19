// SPDX-License-Identifier: MIT
#include "ui/json_dialog.h"

#include "ui/types.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace dpg::ui {

JsonDialog::JsonDialog(const QString& title, const QString& help, const nlohmann::json& value,
                       Check check, QWidget* parent)
    : QDialog(parent), check_(std::move(check)), value_(value) {
  setWindowTitle(title);
  auto* l = new QVBoxLayout(this);
  auto* doc = new QLabel(help);
  doc->setWordWrap(true);
  l->addWidget(doc);
  edit_ = new QPlainTextEdit(qs(value.dump(2)));
  edit_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  edit_->setLineWrapMode(QPlainTextEdit::NoWrap);
  l->addWidget(edit_, 1);
  status_ = new QLabel;
  status_->setWordWrap(true);
  l->addWidget(status_);
  buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  l->addWidget(buttons_);
  connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(edit_, &QPlainTextEdit::textChanged, this, &JsonDialog::recheck);
  resize(560, 420);
  recheck();
}

void JsonDialog::recheck() {
  const auto parsed = nlohmann::json::parse(edit_->toPlainText().toStdString(), nullptr, false);
  if (parsed.is_discarded()) {
    message_ = tr("Not valid JSON.");
  } else {
    message_ = check_ ? check_(parsed) : QString();
    if (message_.isEmpty()) value_ = parsed;
  }
  status_->setText(message_.isEmpty() ? tr("✔ Valid.") : QStringLiteral("✖ ") + message_);
  status_->setStyleSheet(message_.isEmpty() ? QStringLiteral("color: #1b7a1b")
                                            : QStringLiteral("color: #b00020"));
  buttons_->button(QDialogButtonBox::Ok)->setEnabled(message_.isEmpty());
}

}  // namespace dpg::ui
