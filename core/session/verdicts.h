// SPDX-License-Identifier: MIT
#pragma once
/// @file A stored run's validations judged by its own objective plugin's verdicts: the summary
/// line `dpg runs show` and `dpg export` print (core/store/verdict_summary.h).
#include "core/plugin/plugin_registry.h"
#include "core/store/verdict_summary.h"

namespace dpg::session {

/// The verdicts of the plugin of run @p run_id's objective.kind (from its stored config) on its
/// stored validation sign images; no judge when the kind is unknown or has no verdicts.
store::VerdictSummary validation_verdicts(const store::RunStore& store, int64_t run_id,
                                          const plugin::PluginRegistry& plugins);

}  // namespace dpg::session
