"""The rep-id map of site search: an exact rep id typed in the search box opens that rep's page."""

from __future__ import annotations

import json

import pandas as pd

ID_MAP = "search/ids.json"
"""Where the map is published (beside Material's ``search/search_index.json``)."""


def id_map(reps: pd.DataFrame) -> str:
    """``{lowercased rep id: [[rep id, page URL from the site root, name], …]}`` as JSON.

    ``reps``: metrics.reps with ``slug``. The URL is the rep's permanent page ``reps/<slug>/`` (not
    the ``/reps/<id>/`` redirect). Ids that differ only in letter case share a key; the script then
    jumps only on the exact id.
    """
    found: dict[str, list[list[str]]] = {}
    for rep_id, slug, name in zip(reps["rep_id"], reps["slug"], reps["name"], strict=True):
        label = name if isinstance(name, str) and name else rep_id
        found.setdefault(str(rep_id).lower(), []).append([str(rep_id), f"reps/{slug}/", label])
    return json.dumps(dict(sorted(found.items())), ensure_ascii=False, separators=(",", ":")) + "\n"
