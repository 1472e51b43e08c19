// SPDX-License-Identifier: MIT
#include "ui/glossary.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace dpg::ui {

const std::vector<GlossaryEntry>& glossary() {
  static const std::vector<GlossaryEntry> entries = {
      {QStringLiteral("Φ"),
       QObject::tr("The objective's value on the target after it trained on this step's texts, "
                   "higher is better. For an image objective it rewards LM-head weights whose "
                   "sign pattern matches the image.")},
      {QStringLiteral("readable metric"),
       QObject::tr("The objective's own measure in plain units, e.g. pixel accuracy: the share "
                   "of the image's pixels whose sign in the target's LM head is right (0.5 is "
                   "chance).")},
      {QStringLiteral("validation"),
       QObject::tr("Φ and the metric measured on fresh texts for held-out prompts, every "
                   "validation.every steps: the honest number. Drawn as markers joined from one "
                   "validation to the next.")},
      {QStringLiteral("τ"),
       QObject::tr("The reward of one generated text: the metagradient, how much Φ would rise "
                   "if that text weighed more in the target's training.")},
      {QStringLiteral("advantage"),
       QObject::tr("τ compared with the other texts for the same prompt (GRPO): the generator "
                   "writes more like texts with positive advantage, less like the others. Each "
                   "prompt's advantages have mean 0 and spread 1; the plot shows their median "
                   "(line), quartiles (dark band) and range (light band) a step, so a lopsided "
                   "step, one text far ahead of its group, stands out.")},
      {QStringLiteral("zero spread"),
       QObject::tr("The share of a step's prompts whose texts all got the same τ (TRL's "
                   "frac_reward_zero_std). Their advantages are 0, so they teach the generator "
                   "nothing; near 1, the texts have collapsed to one and learning stalls.")},
      {QStringLiteral("fluency NLL"),
       QObject::tr("Negative log-likelihood per token of the generated text under the "
                   "generator as it was at the start: rising means the text drifts from "
                   "language the generator began with (punctuation, word salad).")},
      {QStringLiteral("policy loss"),
       QObject::tr("The GRPO surrogate loss the generator's update minimises (token mean); its "
                   "level says little, its noise says how different the texts' advantages "
                   "are.")},
      {QStringLiteral("clip fraction"),
       QObject::tr("Share of tokens whose probability ratio to the sampling policy left "
                   "[1−ε, 1+ε]. With one mini-batch a step the ratio is exactly 1, so it stays "
                   "0.")},
      {QStringLiteral("entropy"),
       QObject::tr("Mean token entropy of the generator's samples, in nats: how spread its "
                   "next-token choices are. Falling fast means the text is collapsing.")},
      {QStringLiteral("step time"),
       QObject::tr("Wall-clock seconds of one GRPO step: generation, the target's inner "
                   "training and its metagradient, and the generator's update.")},
      {QStringLiteral("sign image"),
       QObject::tr("The sign of the change in the target's LM-head patch after training: dark "
                   "where it rose. It becomes the target image Y when DPG works.")},
      {QStringLiteral("T"),
       QObject::tr("Inner steps: how many optimiser steps the target takes on a step's texts "
                   "before Φ is measured.")},
      {QStringLiteral("P, G"),
       QObject::tr("Prompts a step and responses a prompt; P × G texts (rollouts) a step.")},
  };
  return entries;
}

QString glossary_definition(const QString& term) {
  for (const auto& e : glossary())
    if (e.term.compare(term, Qt::CaseInsensitive) == 0) return e.definition;
  return {};
}

QString glossary_html() {
  QString html = QStringLiteral("<dl>");
  for (const auto& e : glossary())
    html += QStringLiteral("<dt><b>%1</b></dt><dd>%2</dd>")
                .arg(e.term.toHtmlEscaped(), e.definition.toHtmlEscaped());
  return html + QStringLiteral("</dl>");
}

void show_glossary(QWidget* parent) {
  auto* d = new QDialog(parent);
  d->setObjectName(QStringLiteral("glossaryDialog"));
  d->setAttribute(Qt::WA_DeleteOnClose);
  d->setWindowTitle(QObject::tr("Glossary"));
  auto* l = new QVBoxLayout(d);
  auto* text = new QTextBrowser;
  text->setHtml(glossary_html());
  l->addWidget(text);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  QObject::connect(buttons, &QDialogButtonBox::rejected, d, &QDialog::close);
  l->addWidget(buttons);
  d->resize(560, 520);
  d->show();
}

}  // namespace dpg::ui
