"""Server-drawn SVG: a small line chart, and the trace picture. No chart library, no script.

Both return plain geometry (numbers and labels) that a template turns into
``<svg>``; keeping layout here and markup in templates makes each easy to test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub.stats import Series

PALETTE = ("#1f5fbf", "#c0262d", "#1b7f3b", "#a36100", "#6a3fb5", "#0f7c8c", "#b5397a", "#5b6576")
CHART_W, CHART_H = 760, 200
PAD_L, PAD_R, PAD_T, PAD_B = 44, 12, 10, 26


@dataclass
class Line:
    label: str
    color: str
    points: str
    total: float


@dataclass
class Chart:
    width: int
    height: int
    lines: list[Line]
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    plot: tuple[int, int, int, int]
    """left, top, right, bottom of the plotting area."""
    empty: bool


def line_chart(minutes: list[datetime], series: list[Series], tz: ZoneInfo, *, percent: bool = False,
               step: timedelta = timedelta(minutes=1)) -> Chart:
    """Lines over buckets starting at ``minutes`` (each ``step`` long), with a few round times marked."""
    left, top, right, bottom = PAD_L, PAD_T, CHART_W - PAD_R, CHART_H - PAD_B
    peak = max((v for s in series for v in s.values), default=0.0)
    top_value = 1.0 if percent else max(1.0, _nice(peak))
    n = max(1, len(minutes) - 1)

    def x(i: int) -> float:
        return left + (right - left) * i / n

    def y(v: float) -> float:
        return bottom - (bottom - top) * (v / top_value)

    lines = [Line(label=s.connector, color=PALETTE[i % len(PALETTE)],
                  points=" ".join(f"{x(j):.1f},{y(v):.1f}" for j, v in enumerate(s.values)),
                  total=s.overall if s.overall is not None else sum(s.values))
             for i, s in enumerate(series)]
    y_ticks = [(y(top_value * f), f"{top_value * f:.0%}" if percent else f"{top_value * f:g}") for f in (0, .5, 1)]
    return Chart(CHART_W, CHART_H, lines, y_ticks, _x_ticks(minutes, step, tz, x), (left, top, right, bottom),
                 empty=not any(v for s in series for v in s.values))


TICK_STEPS = [timedelta(minutes=m) for m in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)]
MAX_TICKS = 7


def _x_ticks(starts: list[datetime], step: timedelta, tz: ZoneInfo,
             x: Callable[[int], float]) -> list[tuple[float, str]]:
    """Marks at round local times, at most MAX_TICKS of them; dates once the span passes a day."""
    if not starts:
        return []
    span = step * len(starts)
    every = next((t for t in TICK_STEPS if span / t <= MAX_TICKS), TICK_STEPS[-1])
    fmt = "%m-%d" if every >= timedelta(days=1) else "%m-%d %H:%M" if span > timedelta(days=1) else "%H:%M"
    out = []
    for i, at in enumerate(starts):
        local = at.astimezone(tz)
        since_midnight = timedelta(hours=local.hour, minutes=local.minute, seconds=local.second)
        if since_midnight % every < step:
            out.append((x(i), local.strftime(fmt)))
    return out


def step_label(step: timedelta) -> str:
    """A bucket size for people: ``10 s``, ``1 min``, ``5 min``, ``1 h``."""
    seconds = int(step.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def _nice(v: float) -> float:
    """A round axis maximum at or above ``v`` (1, 2, 5 × 10ⁿ)."""
    magnitude = 1.0
    while magnitude * 10 <= v:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= v:
            return step * magnitude
    return v


# ---------------------------------------------------------------------- trace picture
LANE_W, ROW_H, HEAD_H, BOX_W, BOX_H = 172, 54, 44, 160, 44
LABEL_CHARS = 25
"""Characters of an 11 px label that fit in a box; longer text is cut with … (the full text is on hover)."""
MIN_SCALE = 0.8
"""The drawing shrinks to fit its card down to this scale; narrower (a phone), the card scrolls sideways."""


def fit(text: str, chars: int = LABEL_CHARS) -> str:
    """``text`` cut to ``chars`` characters, ending in … when cut."""
    return text if len(text) <= chars else text[: chars - 1] + "…"


def label_lines(label: str, chars: int = LABEL_CHARS) -> list[str]:
    """A label in at most two lines that fit a box: split at the first space (type, then business key)."""
    if len(label) <= chars:
        return [label]
    head, _, rest = label.partition(" ")
    return [fit(head, chars), fit(rest, chars)] if rest else [fit(label, chars)]


@dataclass
class Step:
    """One drawn step: a message arriving from its system, or a delivery to a target."""

    kind: str
    """message | delivery"""
    message_id: str
    label: str
    status: str
    failed: bool
    lane: int
    from_lane: int | None
    row: int
    when: datetime | None
    type: str | None = None
    no_route: list[Any] | None = None
    """Why a message step went to nobody (see :func:`hub.pipeline.routing.why_no_route`)."""

    @property
    def lines(self) -> list[str]:
        return label_lines(self.label)


@dataclass
class TracePicture:
    lanes: list[str]
    steps: list[Step] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max(1, len(self.lanes)) * LANE_W + 20

    @property
    def min_width(self) -> int:
        """Below this many pixels the drawing stops shrinking and its card scrolls instead."""
        return int(self.width * MIN_SCALE)

    @property
    def height(self) -> int:
        return HEAD_H + max(1, len(self.steps)) * ROW_H + 20

    @staticmethod
    def lane_x(i: int) -> int:
        return 10 + i * LANE_W + LANE_W // 2

    @staticmethod
    def row_y(i: int) -> int:
        return HEAD_H + i * ROW_H + ROW_H // 2

    box_w = BOX_W
    box_h = BOX_H
    lane_w = LANE_W
    head_h = HEAD_H


FAILED = {"failed", "dead", "rejected"}


def trace_picture(messages: list[dict[str, object]]) -> TracePicture:
    """Lanes from the systems in order of appearance; for each message (in time order) a step in its
    source lane, then one step per delivery in the target's lane with an arrow from the source."""
    lanes: list[str] = []

    def lane(name: str) -> int:
        if name not in lanes:
            lanes.append(name)
        return lanes.index(name)

    pic = TracePicture(lanes)
    row = 0
    for m in messages:
        src = lane(str(m["connector"]))
        status = str(m["status"])
        pic.steps.append(Step("message", str(m["id"]), str(m.get("label") or m["id"]), status, status in FAILED,
                              src, None, row, m.get("when"), m.get("type"), m.get("no_route")))  # type: ignore[arg-type]
        row += 1
        for d in m.get("deliveries", []):  # type: ignore[attr-defined]
            dst = lane(str(d["connector"]))
            pic.steps.append(Step("delivery", str(m["id"]), f"{d['operation']}", str(d["status"]),
                                  str(d["status"]) in FAILED, dst, src, row, d.get("when")))
            row += 1
    return pic
