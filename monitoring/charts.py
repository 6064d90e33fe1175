"""Trend charts as inline SVG drawn on the server: no script, no network, prints as is.

The SVG scales to its container (viewBox, width 100%) so it stays readable on a phone; the
text is large relative to the drawing and every label is Chinese or a number.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 36, 44


def _nice_max(value, is_rate):
    if is_rate:
        return 1.0
    if value <= 0:
        return 10
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return top
    return value


def _fmt(value, is_rate):
    if is_rate:
        return f"{value * 100:.0f}%"
    return f"{int(value):,}"


def line_chart_svg(series, *, title, is_rate, target=None, cumulative_label=""):
    """series: [(date, value or None)]; target: a horizontal dashed line (same unit)."""
    values = [v for _, v in series if v is not None]
    top = _nice_max(max(values + ([target] if target is not None else []) + [0]), is_rate)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(series), 1)

    def x(i):
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v):
        return TOP + plot_h - plot_h * (v / top if top else 0)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="trend-chart" font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="22" font-size="16" font-weight="bold" fill="#1f2933">{escape(title)}</text>',
    ]
    if cumulative_label:
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="22" font-size="13" text-anchor="end" fill="#52606d">{escape(cumulative_label)}</text>'
        )
    for i in range(5):
        v = top * i / 4
        yy = y(v)
        parts.append(f'<line x1="{LEFT}" y1="{yy:.1f}" x2="{WIDTH - RIGHT}" y2="{yy:.1f}" stroke="#d9e2ec" stroke-width="1"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" font-size="12" text-anchor="end" fill="#52606d">{_fmt(v, is_rate)}</text>'
        )
    # Month labels: every third month, plus January of each year in bold.
    for i, (day, _v) in enumerate(series):
        if day.month in (1, 4, 7, 10) or i == n - 1:
            weight = ' font-weight="bold"' if day.month == 1 else ""
            label = f"{day.year}年{day.month}月" if day.month == 1 or i == 0 else f"{day.month}月"
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" font-size="12" text-anchor="middle" fill="#52606d"{weight}>{label}</text>'
            )
    if target is not None:
        yy = y(target)
        parts.append(
            f'<line x1="{LEFT}" y1="{yy:.1f}" x2="{WIDTH - RIGHT}" y2="{yy:.1f}" stroke="#c0392b" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{yy - 6:.1f}" font-size="12" text-anchor="end" fill="#c0392b">目标 {_fmt(target, is_rate)}</text>'
        )
    # The line, broken where a value is undefined (no staff, no responses).
    segment = []
    segments = []
    for i, (_day, v) in enumerate(series):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(i):.1f},{y(v):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) == 1:
            cx, cy = seg[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="#0b7a75"/>')
        else:
            parts.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="#0b7a75" stroke-width="3"/>')
    last = next(((i, v) for i, (_d, v) in reversed(list(enumerate(series))) if v is not None), None)
    if last is not None:
        i, v = last
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="#0b7a75"/>')
        parts.append(
            f'<text x="{min(x(i), WIDTH - RIGHT - 4):.1f}" y="{y(v) - 8:.1f}" font-size="13" font-weight="bold" '
            f'text-anchor="end" fill="#0b7a75">{_fmt(v, is_rate) if not is_rate else f"{v * 100:.1f}%"}</text>'
        )
    else:
        parts.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" font-size="15" text-anchor="middle" fill="#7b8794">暂无数据</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#7b8794" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))
