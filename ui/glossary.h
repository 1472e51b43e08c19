// SPDX-License-Identifier: MIT
#pragma once
/// @file The workbench's glossary: one short definition per term the plots and forms use (Φ, τ,
/// advantage, fluency NLL, clip fraction …). The plot titles' tooltips and Help › Glossary read the
/// same text, so a term is explained once.
#include <QString>

#include <vector>

class QWidget;

namespace dpg::ui {

struct GlossaryEntry {
  QString term;
  QString definition;
};

/// Every entry, in reading order.
const std::vector<GlossaryEntry>& glossary();
/// The definition of @p term ("Φ", "τ", "clip fraction" …), or "" when the glossary has none.
QString glossary_definition(const QString& term);
/// The glossary as HTML (Help › Glossary).
QString glossary_html();
/// Shows the glossary in a non-modal dialog owned by @p parent.
void show_glossary(QWidget* parent);

}  // namespace dpg::ui
