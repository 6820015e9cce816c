"""The psychometrics pages' plots, drawn by matplotlib as inline SVG.

Server-side, with no JavaScript: each function takes numbers from a run's results
and returns one ``<svg>`` element, its text kept as text (``svg.fonttype`` none, so
it scales and screen readers can reach it), sized by the page (width 100 %), with
``role="img"`` and a ``<title>`` naming what it shows. Every plot is also given as
a table or a caption on the page (its text alternative). Figures are built with the
object API (``Figure`` + the SVG canvas), never pyplot, so requests on several
threads share no state.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display anywhere: never pick an interactive backend

import numpy as np
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from certwright.psychometrics import icc

BRAND = "#1f5f99"
ACCENT = "#b35900"
MUTED = "#5b6770"
OPTION_COLOURS = ("#1f5f99", "#b35900", "#2e7d32", "#8e24aa", "#757575")
_STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
}
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SIZE = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')
# matplotlib's one <style> element; the Content-Security-Policy refuses inline
# <style>, so its rule lives in scoring.css (figure.plot svg *) instead.
_STYLE_ELEMENT = re.compile(r"\s*<style[^>]*>.*?</style>", re.DOTALL)


def _svg(figure: Figure, title: str) -> SafeString:
    """The figure as an accessible, responsive inline ``<svg>``."""
    buffer = io.StringIO()
    FigureCanvasSVG(figure)
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = _METADATA.sub("", text, count=1)
    text = _STYLE_ELEMENT.sub("", text)
    ident = f"plot-{uuid.uuid4().hex[:10]}"
    text = _SIZE.sub(
        rf'<svg\1 width="100%" role="img" aria-labelledby="{ident}"', text, count=1
    )
    head_end = text.index(">") + 1
    text = (
        text[:head_end]
        + f'<title id="{ident}">{escape(title)}</title>'
        + text[head_end:]
    )
    return mark_safe(text)


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def score_histogram(
    distribution: Sequence[int], *, cut_score: int | None, title: str
) -> SafeString:
    """Candidates by raw score, with the form's cut as a vertical line."""
    with matplotlib.rc_context(_STYLE):
        figure = _figure(6.4, 2.8)
        axes = figure.add_subplot()
        raw = np.arange(len(distribution))
        axes.bar(raw, distribution, width=0.85, color=BRAND)
        if cut_score is not None:
            axes.axvline(cut_score - 0.5, color=ACCENT, linestyle="--", linewidth=1.2)
            axes.annotate(
                f"cut {cut_score}",
                xy=(cut_score - 0.5, 1),
                xycoords=("data", "axes fraction"),
                xytext=(3, -10),
                textcoords="offset points",
                color=ACCENT,
            )
        axes.set_xlabel("raw score (scored items right)")
        axes.set_ylabel("candidates")
        axes.set_xlim(-0.7, len(distribution) - 0.3)
        return _svg(figure, title)


def _curve_axes(
    axes: Any,
    x: Sequence[float | None],
    p: Sequence[float | None],
    a: float | None,
    b: float | None,
    *,
    on_theta: bool,
    label: str,
) -> None:
    xs = np.array([np.nan if v is None else v for v in x], dtype=float)
    ps = np.array([np.nan if v is None else v for v in p], dtype=float)
    if on_theta and a is not None and b is not None:
        low = min(-3.0, float(np.nanmin(xs)) - 0.3) if np.isfinite(xs).any() else -3.0
        high = max(3.0, float(np.nanmax(xs)) + 0.3) if np.isfinite(xs).any() else 3.0
        grid = np.linspace(low, high, 121)
        axes.plot(grid, icc(grid, [a], [b])[:, 0], color=BRAND, linewidth=1.4)
    axes.plot(xs, ps, "o", color=ACCENT, markersize=3.5)
    axes.set_ylim(-0.03, 1.03)
    axes.set_title(label)


def item_curve(
    groups: Sequence[dict[str, Any]], row: dict[str, Any], *, title: str
) -> SafeString:
    """One item: proportion right in each score group (dots) and the fitted 2PL
    (line) against ability θ, or against the group's mean raw score when no
    curve could be fitted."""
    on_theta = all(g.get("theta") is not None for g in groups)
    x = [g["theta"] if on_theta else g["mean_raw"] for g in groups]
    with matplotlib.rc_context(_STYLE):
        figure = _figure(4.2, 2.8)
        axes = figure.add_subplot()
        _curve_axes(
            axes, x, row["icc"], row["a"], row["b"], on_theta=on_theta, label=""
        )
        axes.set_xlabel("ability θ (logits)" if on_theta else "mean raw score of group")
        axes.set_ylabel("proportion right")
        return _svg(figure, title)


def item_curves_grid(
    groups: Sequence[dict[str, Any]], rows: Sequence[dict[str, Any]], *, title: str
) -> SafeString:
    """Small multiples of :func:`item_curve`, three to a row."""
    on_theta = all(g.get("theta") is not None for g in groups)
    x = [g["theta"] if on_theta else g["mean_raw"] for g in groups]
    columns = 3
    lines = max(1, -(-len(rows) // columns))
    with matplotlib.rc_context(_STYLE):
        figure = _figure(6.6, 1.9 * lines + 0.3)
        grid = figure.subplots(lines, columns, squeeze=False, sharex=True, sharey=True)
        for index, axes in enumerate(grid.flat):
            if index >= len(rows):
                axes.set_visible(False)
                continue
            row = rows[index]
            _curve_axes(
                axes,
                x,
                row["icc"],
                row["a"],
                row["b"],
                on_theta=on_theta,
                label=f"{row['position']}. {row['code']}",
            )
        figure.supxlabel("ability θ (logits)" if on_theta else "mean raw score")
        figure.supylabel("proportion right")
        return _svg(figure, title)


def option_traces(
    groups: Sequence[dict[str, Any]], row: dict[str, Any], *, title: str
) -> SafeString:
    """Share of each score group choosing each option (and omitting): the key's
    line should rise, every distractor's fall."""
    x = [g["mean_raw"] for g in groups]
    labels = [o["label"] for o in row["options"]]
    with matplotlib.rc_context(_STYLE):
        figure = _figure(4.2, 2.8)
        axes = figure.add_subplot()
        for index, (label, shares) in enumerate(zip(labels, row["trace"], strict=True)):
            ys = [np.nan if v is None else v for v in shares]
            is_key = row["options"][index]["key"]
            axes.plot(
                x,
                ys,
                marker="o",
                markersize=3,
                linewidth=2.2 if is_key else 1.1,
                linestyle="-" if is_key or label != "omit" else ":",
                color=OPTION_COLOURS[index % len(OPTION_COLOURS)],
                label=f"{label} (key)" if is_key else label,
            )
        axes.set_ylim(-0.03, 1.03)
        axes.set_xlabel("mean raw score of group")
        axes.set_ylabel("share choosing")
        axes.legend(frameon=False, fontsize=8, ncols=3)
        return _svg(figure, title)


def conversion(
    *,
    base: Sequence[int],
    new: Sequence[int],
    base_cut: int,
    new_cut: int,
    base_label: str,
    new_label: str,
    title: str,
) -> SafeString:
    """Raw → scaled tables of the base and the new form as steps, cuts marked."""
    with matplotlib.rc_context(_STYLE):
        figure = _figure(6.4, 3.0)
        axes = figure.add_subplot()
        axes.step(range(len(base)), base, where="mid", color=MUTED, label=base_label)
        axes.step(
            range(len(new)),
            new,
            where="mid",
            color=BRAND,
            linewidth=1.6,
            label=new_label,
        )
        axes.plot([base_cut], [base[base_cut]], "s", color=MUTED)
        axes.plot([new_cut], [new[new_cut]], "o", color=ACCENT)
        axes.axhline(base[base_cut], color=ACCENT, linestyle=":", linewidth=1)
        axes.set_xlabel("raw score")
        axes.set_ylabel("scaled score")
        axes.legend(frameon=False, loc="upper left")
        return _svg(figure, title)
