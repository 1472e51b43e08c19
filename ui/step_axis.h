// SPDX-License-Identifier: MIT
#pragma once
/// @file The step axis of the curve plots, shared by the dashboard (one run) and the comparison
/// (each run in its own colour): whole-step ticks, and marks of a run's schedule
/// (config::schedule_events: the lr and KL drops, objective stages), a dashed vertical line at the
/// event's first step with, optionally, its label at the top of the axis rect.
#include "core/config/schedule.h"

#include <QColor>
#include <QString>

#include <vector>

class QCPAbstractItem;
class QCPAxis;
class QCustomPlot;

namespace dpg::ui {

/// Ticks @p axis at whole steps only (1, 2, 3 … zoomed in; 200, 400 … zoomed out), never at 2.5.
void set_step_ticks(QCPAxis* axis);

/// Adds @p event's line (and its label, prefixed by @p prefix, when @p labelled) to @p plot and
/// returns the items, which @p plot owns; remove them with QCustomPlot::removeItem. @p row shifts
/// the label down by that many lines, so the labels of several runs' events at one step do not
/// cover each other.
std::vector<QCPAbstractItem*> add_schedule_mark(QCustomPlot* plot,
                                                const config::ScheduleEvent& event,
                                                const QColor& ink, bool labelled,
                                                const QString& prefix = {}, int row = 0);

}  // namespace dpg::ui
