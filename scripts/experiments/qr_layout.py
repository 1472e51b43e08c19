# SPDX-License-Identifier: MIT
"""The module layout of a version-1 QR code (21 x 21), for scan-aware objectives in docs/results.md (c).

function_masks() gives the modules that are not data: the three finder patterns with their separators, the two
timing lines, the two copies of the format information and the dark module. codeword_map() numbers the other 208
modules by the codeword (0..25) their bit belongs to, following the standard placement: two-module columns from
the right, upwards then downwards, skipping the vertical timing column 6.
"""
import functools

import numpy as np

N = 21


@functools.cache  # the layout is fixed; callers only read the arrays
def function_masks():
    finder = np.zeros((N, N), bool)
    for r0, c0 in ((0, 0), (0, N - 8), (N - 8, 0)):
        finder[r0 : r0 + 8, c0 : c0 + 8] = True  # 7 x 7 pattern + 1-module separator
    timing = np.zeros((N, N), bool)
    timing[6, 8 : N - 8] = True
    timing[8 : N - 8, 6] = True
    fmt = np.zeros((N, N), bool)
    fmt[8, [0, 1, 2, 3, 4, 5, 7, 8]] = True
    fmt[[0, 1, 2, 3, 4, 5, 7], 8] = True
    fmt[8, N - 8 :] = True
    fmt[N - 7 :, 8] = True
    dark = np.zeros((N, N), bool)
    dark[N - 8, 8] = True
    return {"finder": finder, "timing": timing, "format": fmt, "dark": dark}


@functools.cache
def codeword_map():
    func = np.zeros((N, N), bool)
    for m in function_masks().values():
        func |= m
    cw = -np.ones((N, N), int)
    i, x, up = 0, N - 1, True
    while x > 0:
        if x == 6:
            x -= 1
        for y in range(N - 1, -1, -1) if up else range(N):
            for xx in (x, x - 1):
                if not func[y, xx]:
                    cw[y, xx] = i // 8
                    i += 1
        up = not up
        x -= 2
    assert i == 208, i
    return cw
