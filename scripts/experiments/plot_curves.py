#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Line charts (SVG, no dependencies) of curves exported by `dpg export ID --csv FILE`.

  plot_curves.py OUT.svg COLUMN "label=run.csv" ["label=run2.csv" ...] [--title T] [--ema 0.9] [--xmax STEP]

Rows with an empty value are skipped (validation columns are filled only at validation steps). --ema smooths
dense columns such as fluency_nll with a debiased exponential moving average."""
import argparse, csv, math

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f", "#bcbd22"]


def series(path, column, ema, xmax=None):
    xs, ys = [], []
    with open(path) as f:
        for row in csv.DictReader(f):
            v = row.get(column, "")
            if v in ("", "nan") or (xmax is not None and float(row["step"]) > xmax):
                continue
            xs.append(float(row["step"]))
            ys.append(float(v))
    if ema > 0:
        out, m = [], 0.0
        for k, y in enumerate(ys, 1):
            m = ema * m + (1 - ema) * y
            out.append(m / (1 - ema ** k))
        ys = out
    return xs, ys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("column")
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--title", default="")
    ap.add_argument("--ema", type=float, default=0.0)
    ap.add_argument("--ylabel", default=None)
    ap.add_argument("--xmax", type=float, default=None, help="leave out steps after this one")
    a = ap.parse_args()
    data = []
    for spec in a.runs:
        label, path = spec.split("=", 1)
        data.append((label, *series(path, a.column, a.ema, a.xmax)))
    xs = [x for _, sx, _ in data for x in sx]
    ys = [y for _, _, sy in data for y in sy]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    pad = 0.05 * (y1 - y0 or 1.0)
    y0, y1 = y0 - pad, y1 + pad
    W, H, L, R, T, B = 640, 360, 60, 150, 34, 44
    px = lambda x: L + (x - x0) / ((x1 - x0) or 1) * (W - L - R)
    py = lambda y: H - B - (y - y0) / ((y1 - y0) or 1) * (H - T - B)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2 - R / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">{a.title}</text>']
    for k in range(6):  # grid and tick labels
        yv = y0 + (y1 - y0) * k / 5
        xv = x0 + (x1 - x0) * k / 5
        svg.append(f'<line x1="{L}" x2="{W - R}" y1="{py(yv):.1f}" y2="{py(yv):.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{L - 6}" y="{py(yv) + 4:.1f}" text-anchor="end">{yv:.3g}</text>')
        svg.append(f'<text x="{px(xv):.1f}" y="{H - B + 16}" text-anchor="middle">{xv:.0f}</text>')
    svg.append(f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" stroke="#444"/>')
    svg.append(f'<text x="{(L + W - R) / 2}" y="{H - 8}" text-anchor="middle">step</text>')
    svg.append(f'<text transform="translate(14,{(T + H - B) / 2}) rotate(-90)" text-anchor="middle">'
               f'{a.ylabel or a.column}</text>')
    for i, (label, sx, sy) in enumerate(data):
        c = COLOURS[i % len(COLOURS)]
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(sx, sy) if math.isfinite(y))
        svg.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="1.6"/>')
        ly = T + 14 + 18 * i
        svg.append(f'<line x1="{W - R + 10}" x2="{W - R + 30}" y1="{ly - 4}" y2="{ly - 4}" stroke="{c}" stroke-width="2"/>')
        svg.append(f'<text x="{W - R + 35}" y="{ly}">{label}</text>')
    svg.append("</svg>")
    with open(a.out, "w") as f:
        f.write("\n".join(svg))


if __name__ == "__main__":
    main()
