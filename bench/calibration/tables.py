"""Markdown tables for the calibration results; None prints as "n/a"."""

import math

NA = "n/a"


def pct(x, digits=0):
    """A share as a percentage ("12 %"), n/a for None or NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return NA
    return f"{100 * x:.{digits}f} %"


def num(x, digits=2):
    """A number with fixed decimals, n/a for None or NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return NA
    return f"{x:.{digits}f}"


def share(hits, total):
    """hits / total as a float, None when there is nothing to count."""
    return hits / total if total else None


def mean(values):
    """The mean of the values that are not None, None when there are none."""
    present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(present) / len(present) if present else None


class Table:
    """A titled markdown table with notes printed under it."""

    def __init__(self, title, columns, intro=None):
        self.title = title
        self.columns = columns
        self.intro = intro
        self.rows = []
        self.notes = []

    def add(self, *cells):
        self.rows.append([NA if c is None else str(c) for c in cells])

    def note(self, text):
        self.notes.append(text)

    def markdown(self):
        lines = [f"### {self.title}", ""]
        if self.intro:
            lines += [self.intro, ""]
        lines.append("| " + " | ".join(self.columns) + " |")
        lines.append("|" + "|".join("---" if i == 0 else "--:" for i in range(len(self.columns))) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"
