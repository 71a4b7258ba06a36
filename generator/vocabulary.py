"""The sales vocabulary every stage shares, written once: deal statuses, goal metrics, segment dimensions.

Names of published figures (``value_ratio``, ``win_rate``, …) and their labels live in the metric
registry, ``generator.metrics.definitions``; this module holds the words the data itself is read in.
"""

from __future__ import annotations

from dataclasses import dataclass

WON, LOST, OPEN = "won", "lost", "open"
"""A deal's status (SPEC §5): won if its stage is in ``won_stages``, lost if in ``lost_stages``, else open."""

DEAL_STATUSES = (WON, LOST, OPEN)
"""Every status, in the order of the categorical ``status`` column of the loaded deals."""

GOAL_METRICS = ("revenue", "won_deals", "new_clients", "value_ratio")
"""The figures a goal may target (goals.metric, SPEC §4); the first is the default."""

DEFAULT_GOAL_METRIC = GOAL_METRICS[0]

CUMULATIVE_GOAL_METRICS = ("revenue", "won_deals", "new_clients")
"""Goal metrics that build up through the year (paced); value_ratio is a level, compared as it stands."""


@dataclass(frozen=True)
class Dimension:
    """A segment dimension (SPEC §4–§6): how the site names it and which export fields it is read from."""

    name: str
    """The dimension's column in every segment table (``region``, ``category``, ``channel``)."""
    folder: str
    """Folder of its pages and data files: regions."""
    title: str
    """Page title: Regions."""
    heading: str
    """Table header of the segment column: Region."""
    words: str
    """How sentences name it: acquisition method."""
    deal_field: str
    """The field of a counted deal the segment is read from (a deal's channel is its acquisition)."""
    sources: tuple[tuple[str, str], ...]
    """(dataset, field) pairs of the exports the dimension is read from."""


DIMENSIONS: dict[str, Dimension] = {
    "region": Dimension(
        "region",
        "regions",
        "Regions",
        "Region",
        "region",
        "region",
        (("clients", "region"), ("reps", "region")),
    ),
    "category": Dimension(
        "category",
        "categories",
        "Categories",
        "Category",
        "business category",
        "category",
        (("clients", "category"),),
    ),
    "channel": Dimension(
        "channel",
        "channels",
        "Channels",
        "Channel",
        "acquisition method",
        "acquisition",
        (("clients", "acquisition"), ("deals", "acquisition")),
    ),
}
"""Every segment dimension, in the order the site lists them."""

CROSSES = (("region", "category"), ("channel", "category"))
"""The pairs of dimensions crossed in heatmaps (region × category, channel × category)."""

SEGMENT_FIELDS = {name: d.sources for name, d in DIMENSIONS.items()}
"""The export fields each segment dimension is read from (SPEC §4)."""
