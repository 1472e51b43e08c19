// SPDX-License-Identifier: MIT
// Anchor for the shared precompiled <torch/torch.h>.
