// SPDX-License-Identifier: MIT
#include "core/dpg/checkpoint_plan.h"

#include "core/config/inner_config.h"
#include "core/model/errors.h"

#include <algorithm>
#include <cmath>

namespace dpg::engine {
namespace {

// k = ⌈√T⌉: the segment length of the sqrt schedules.
int64_t sqrt_segment(int64_t T) {
  return std::max<int64_t>(1, int64_t(std::ceil(std::sqrt(double(T)))));
}

}  // namespace

std::string schedule_name(Schedule s) {
  return s == Schedule::Unroll ? "unroll" : config::name_of(s);
}

Schedule parse_schedule(const std::string& n) {
  if (n == "unroll") return Schedule::Unroll;
  if (const auto s = config::parse_enum<Schedule>(n)) return *s;
  throw model::ConfigError("inner.schedule: '" + n + "' is not one of " +
                           config::spellings_list<Schedule>() + ", unroll");
}

int64_t estimate_memory(int64_t T, const StepSizes& z, Schedule s) {
  const int64_t k = sqrt_segment(T), S = z.state, G = z.graph, Gmb = z.micro_graph;
  switch (s) {
    case Schedule::AllGraphs:
      return T * (S + G);
    case Schedule::SqrtGraphs:
      return (T / k + 1) * S + k * (S + G);
    case Schedule::All:
      return T * S + Gmb;
    case Schedule::Sqrt:
      return (T / k + 1 + k) * S + Gmb;
    case Schedule::Unroll:
      return T * (S + G) + T * S;
    case Schedule::Auto:
      break;
  }
  return 0;
}

std::pair<Schedule, std::string> choose_schedule(int64_t T, const StepSizes& z, int64_t budget) {
  for (auto s : {Schedule::AllGraphs, Schedule::SqrtGraphs, Schedule::All, Schedule::Sqrt}) {
    const int64_t need = estimate_memory(T, z, s);
    if (need <= budget || s == Schedule::Sqrt) {
      const std::string of_budget = budget == config::kNoMemoryLimit
                                        ? std::string(", no memory limit")
                                        : " of the " + std::to_string(budget >> 20) + " MiB budget";
      std::string why =
          schedule_name(s) + ": needs ~" + std::to_string(need >> 20) + " MiB" + of_budget;
      if (need > budget)
        why += " (over budget: no schedule fits; consider spill_dir or micro_batch)";
      return {s, why};
    }
  }
  return {Schedule::Sqrt, "sqrt"};
}

bool CheckpointPlan::stores(int64_t t) const {
  return std::binary_search(stored.begin(), stored.end(), t);
}

CheckpointPlan CheckpointPlan::recompute_plan(const Segment& seg) const {
  CheckpointPlan p;
  p.schedule = schedule;
  for (int64_t t = seg.first; t <= seg.last; ++t) p.stored.push_back(t);
  p.stored_with_g = true;
  p.forward_graphs = segment_graphs;
  return p;
}

CheckpointPlan checkpoint_plan(int64_t T, Schedule s, const StepSizes& sizes, int64_t budget) {
  CheckpointPlan p;
  if (s == Schedule::Auto) {
    std::tie(p.schedule, p.reason) = choose_schedule(T, sizes, budget);
  } else {
    p.schedule = s;
    p.reason = schedule_name(s) + " (requested)";
  }
  if (p.schedule == Schedule::Unroll) {
    p.unroll = true;
    return p;
  }
  const bool sqrt = p.schedule == Schedule::Sqrt || p.schedule == Schedule::SqrtGraphs;
  const int64_t k = sqrt ? sqrt_segment(T) : 1;
  p.stored_with_g = !sqrt;  // all: s_{t−1} and g_t of every step
  p.forward_graphs = p.schedule == Schedule::AllGraphs;
  p.segment_graphs = p.schedule == Schedule::SqrtGraphs;
  for (int64_t t = 1; t <= T; t += k) p.stored.push_back(t);  // sqrt: s_0, s_k, s_2k, …
  for (int64_t j = (T + k - 1) / k - 1; j >= 0; --j)          // segments [a, b], last first
    p.segments.push_back({j * k + 1, std::min(T, (j + 1) * k)});
  return p;
}

}  // namespace dpg::engine
