// SPDX-License-Identifier: MIT
#include "ui/continue_dialog.h"

#include "core/config/continuation.h"
#include "ui/types.h"

#include <nlohmann/json.hpp>

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace dpg::ui {

ContinueDialog::ContinueDialog(const store::RunInfo& run, QWidget* parent)
    : QDialog(parent), made_(run.last_step.value_or(0)), resume_(run.last_checkpoint.value_or(0)) {
  setWindowTitle(tr("Continue run #%1 %2").arg(run.id).arg(qs(run.name)));
  try {
    stored_ = config::RunConfig::from_json(nlohmann::json::parse(run.config_json));
  } catch (const std::exception& e) {
    unreadable_ = qs(e.what());  // revalidate() shows why, and OK stays disabled
  }
  const int64_t stored_steps = stored_ ? stored_->grpo.steps : 0;
  auto* intro = new QLabel(tr("Runs the run on from its newest checkpoint, in the same store. "
                              "Steps already made are kept, so only changes "
                              "that leave them as they were are allowed: more steps, and schedules "
                              "that begin later, such as an objective "
                              "stage or a generator learning-rate drop. To change anything else, "
                              "use <b>Use Config</b> and start a new "
                              "run."),
                           this);
  intro->setWordWrap(true);

  steps_ = new QSpinBox(this);
  steps_->setRange(int(std::min<int64_t>(made_ + 1, std::numeric_limits<int>::max())),
                   std::numeric_limits<int>::max());
  // A stopped run goes on to its own end; a finished one, by default, runs half as long again.
  const int64_t suggested =
      stored_steps > made_ ? stored_steps : made_ + std::max<int64_t>(1, made_ / 2);
  steps_->setValue(int(std::min<int64_t>(suggested, std::numeric_limits<int>::max())));
  steps_->setSuffix(tr(" steps in all"));
  steps_->setToolTip(tr("grpo.steps: the run's total length; it has made %1").arg(made_));

  edits_ = new QPlainTextEdit(this);
  edits_->setPlaceholderText(
      tr("Optional, one key=value a line, e.g.\n"
         "objective.stages=[{\"from_step\": %1, \"params\": {\"focus\": [[0, 5, 3]]}}]\n"
         "grpo.lr_drop_step=%2\ngrpo.lr_after_drop=1e-4\n"
         "grpo.kl_drop_step=%2\ngrpo.kl_after_drop=0.005")
          .arg(made_ + 1)
          .arg(made_));
  edits_->setTabChangesFocus(true);
  edits_->setMinimumHeight(110);

  status_ = new QLabel(this);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* form = new QFormLayout;
  form->addRow(tr("Run to"), steps_);
  form->addRow(tr("Changes"), edits_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  ok_ = buttons->button(QDialogButtonBox::Ok);
  ok_->setText(tr("Continue"));
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* top = new QVBoxLayout(this);
  top->addWidget(intro);
  top->addLayout(form);
  top->addWidget(status_);
  top->addWidget(buttons);
  resize(620, 360);

  connect(steps_, &QSpinBox::valueChanged, this, &ContinueDialog::revalidate);
  connect(edits_, &QPlainTextEdit::textChanged, this, &ContinueDialog::revalidate);
  revalidate();
}

QStringList ContinueDialog::changes() const {
  QStringList out{QStringLiteral("grpo.steps=%1").arg(steps_->value())};
  for (const auto& line : edits_->toPlainText().split(QLatin1Char('\n'))) {
    const auto t = line.trimmed();
    if (!t.isEmpty()) out << t;
  }
  return out;
}

QString ContinueDialog::statusText() const {
  return status_->text();
}

void ContinueDialog::revalidate() {
  try {
    if (!stored_) throw std::runtime_error(unreadable_.toStdString());
    std::vector<std::string> sets;
    for (const auto& c : changes()) sets.push_back(c.toStdString());
    const auto next = config::continued_config(*stored_, sets, resume_);
    message_.clear();
    QString text =
        resume_ > 0
            ? tr("✔ Continues from the checkpoint of step %1 to step %2 (%3 steps).")
                  .arg(resume_)
                  .arg(next.grpo.steps)
                  .arg(next.grpo.steps - resume_)
            : tr("✔ Starts again from step 1, as there is no checkpoint, and runs to step %1.")
                  .arg(next.grpo.steps);
    if (made_ > resume_)
      text += resume_ > 0 ? tr(" Steps %1–%2, made after that checkpoint, are run again.")
                                .arg(resume_ + 1)
                                .arg(made_)
                          : tr(" Its %1 stored steps are made again.").arg(made_);
    status_->setText(text);
    status_->setStyleSheet(QString());
  } catch (const std::exception& e) {
    message_ = qs(e.what());
    status_->setText(QStringLiteral("✘ ") + message_);
    status_->setStyleSheet(QStringLiteral("color: #b00020;"));
  }
  ok_->setEnabled(message_.isEmpty());
}

}  // namespace dpg::ui
