// SPDX-License-Identifier: MIT
#pragma once
/// @file Token credit's per-byte τ_ij as rich text: which bytes of a sample earned its reward.
#include <QString>

#include <string>
#include <vector>

namespace dpg::ui {

/// The response as HTML, each character on a background coloured by the τ of its bytes (summed over
/// a multi-byte UTF-8 character): red where training on that byte raised Φ, blue where it lowered
/// it, white at zero, full colour at |τ| = @p scale (the sample's largest |τ_ij| when @p scale <=
/// 0). Bytes past the end of
/// @p byte_tau (cut off by the target's context) are grey. Newlines show as ↵, tabs as ⇥.
QString credit_html(const std::string& response, const std::vector<float>& byte_tau,
                    double scale = 0);

/// The scale credit_html uses by default: the largest |τ_ij| of the sample, or 1 when all are 0.
double credit_scale(const std::vector<float>& byte_tau);

/// The background colour credit_html gives a character of credit @p tau at @p scale (> 0).
QString credit_colour(double tau, double scale);

}  // namespace dpg::ui
