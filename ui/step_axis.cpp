// SPDX-License-Identifier: MIT
#include "ui/step_axis.h"

#include <qcustomplot.h>

namespace dpg::ui {

void set_step_ticks(QCPAxis* axis) {
  QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
  ticker->setTickStep(1.0);
  ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);  // whole multiples of one step
  axis->setTicker(ticker);
}

std::vector<QCPAbstractItem*> add_schedule_mark(QCustomPlot* plot,
                                                const config::ScheduleEvent& event,
                                                const QColor& ink, bool labelled,
                                                const QString& prefix, int row) {
  std::vector<QCPAbstractItem*> items;
  auto* line = new QCPItemStraightLine(plot);
  line->point1->setCoords(double(event.step), 0.0);
  line->point2->setCoords(double(event.step), 1.0);
  line->setPen(QPen(ink, 1.0, Qt::DashLine));
  line->setSelectable(false);
  items.push_back(line);
  if (!labelled) return items;
  auto* label = new QCPItemText(plot);
  label->setFont(QFont(plot->font().family(), 7));
  label->position->setTypeX(QCPItemPosition::ptPlotCoords);
  label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
  label->position->setCoords(double(event.step), 0.02 + 0.07 * row);
  label->setPositionAlignment(Qt::AlignTop | Qt::AlignLeft);
  label->setPadding(QMargins(3, 0, 0, 0));
  label->setText(prefix + QString::fromStdString(event.label));
  label->setColor(ink);
  label->setBrush(QColor(255, 255, 255, 210));  // readable over a curve
  label->setSelectable(false);
  items.push_back(label);
  return items;
}

}  // namespace dpg::ui
