// SPDX-License-Identifier: MIT
#include "ui/credit_text.h"

#include <QColor>

#include <algorithm>
#include <cmath>

namespace dpg::ui {

namespace {
// The heatmap's diverging end points (ui/lmhead_view.cpp), so both views read the same way.
const QColor kPositive(178, 24, 43);
const QColor kNegative(33, 102, 172);

/// Length of the UTF-8 sequence that starts with @p lead, or 1 for a byte that cannot start one.
int utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

QString shown(const QString& ch) {
  if (ch == QStringLiteral("\n")) return QStringLiteral("↵<br>");
  if (ch == QStringLiteral("\t")) return QStringLiteral("⇥");
  return ch.toHtmlEscaped();
}
}  // namespace

QString credit_colour(double tau, double scale) {
  const double t = std::clamp(std::abs(tau) / scale, 0.0, 1.0);
  const QColor& end = tau >= 0 ? kPositive : kNegative;
  const auto mix = [t](int a) { return int(std::lround(255 + (a - 255) * t)); };
  return QColor(mix(end.red()), mix(end.green()), mix(end.blue())).name();
}

double credit_scale(const std::vector<float>& byte_tau) {
  double scale = 0;
  for (float v : byte_tau) scale = std::max(scale, double(std::abs(v)));
  return scale > 0 ? scale : 1.0;
}

QString credit_html(const std::string& response, const std::vector<float>& byte_tau, double scale) {
  if (scale <= 0) scale = credit_scale(byte_tau);
  QString html = QStringLiteral("<span style=\"white-space: pre-wrap; font-family: monospace\">");
  for (size_t j = 0; j < response.size();) {
    const size_t len =
        std::min(size_t(utf8_length(static_cast<unsigned char>(response[j]))), response.size() - j);
    QString ch = QString::fromUtf8(response.data() + j, qsizetype(len));
    if (ch.size() != 1 && !(ch.size() == 2 && ch[0].isHighSurrogate()))
      ch = QString(QChar::ReplacementCharacter);
    if (j + len <= byte_tau.size()) {
      double tau = 0;
      for (size_t k = j; k < j + len; ++k) tau += byte_tau[k];
      const QString fg =
          std::abs(tau) / scale > 0.6 ? QStringLiteral("#ffffff") : QStringLiteral("#000000");
      html += QStringLiteral("<span style=\"background-color: %1; color: %2\">%3</span>")
                  .arg(credit_colour(tau, scale), fg, shown(ch));
    } else {
      html += QStringLiteral("<span style=\"color: #999999\">%1</span>").arg(shown(ch));
    }
    j += len;
  }
  return html + QStringLiteral("</span>");
}

}  // namespace dpg::ui
