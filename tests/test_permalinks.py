"""Permalinks (SPEC §6): slugs from the id alone, distinct, bounded, never a section's own name, and
every address an earlier build published still answering (a page or a redirect)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from generator.build import build
from generator.site.text import RESERVED_SLUGS, SLUG_MAX, legacy_slug, legacy_slugs, slug

ODD_IDS = [
    "index",
    "assets",
    "data",
    "search",
    "..",
    "a/b",
    "R1",
    "r1",
    "***",
    "x" * 150 + "Y" * 150,
]
SALESFORCE = ["0058d000004KLmA", "0058d000004KLma"]
EMAILS = ["j.smith@acme.example", "j_smith@acme.example"]
SLUG_CHARS = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def test_slug_is_a_function_of_the_id_alone() -> None:
    ids = (
        ODD_IDS
        + SALESFORCE
        + EMAILS
        + ["REP-001", "rep-001", "12345", "jsmith", "Zoë Müller", "", " "]
    )
    slugs = [slug(i) for i in ids]
    assert len(set(slugs)) == len(ids)  # distinct ids, distinct slugs
    assert all(SLUG_CHARS.fullmatch(s) and len(s) <= SLUG_MAX for s in slugs)
    assert not RESERVED_SLUGS & set(slugs)
    assert [slug(i) for i in reversed(ids)] == slugs[::-1]  # no dependence on the other ids
    # Plain lowercase ids are their own slug: those permalinks never moved.
    assert (slug("12345"), slug("jsmith"), slug("rep-001")) == ("12345", "jsmith", "rep-001")
    assert slug("REP-001").startswith("rep-001-") and slug("Zoë Müller").startswith("zoe-muller-")
    assert slug("***", "rep").startswith("rep-") and slug("x" * 300).startswith("x" * 40)
    # A plain id shaped like a hashed slug is hashed too, so the two forms never meet.
    lookalike = "r1-" + slug("R1")[-10:]
    assert slug(lookalike) != slug("R1") and slug(lookalike) != lookalike


def test_legacy_slugs_list_every_old_form() -> None:
    assert legacy_slug("REP-001") == "rep-001"
    claims = legacy_slugs(["0058d000004KLmA"])
    assert claims == {"0058d000004klma": ("0058d000004KLmA",)}
    both = legacy_slugs(SALESFORCE)
    assert both["0058d000004klma"] == tuple(SALESFORCE)  # January's form, now shared
    assert len(both) == 3  # plus the old hashed form of each


def _write_export(folder: Path, reps: list[tuple[str, str, str]]) -> Path:
    """Deals and a reps file: each (rep id, team, manager) wins one client."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "deals.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["deal_id", "rep_id", "client_id", "amount", "stage", "closed"])
        for n, (rep_id, _team, _manager) in enumerate(reps):
            writer.writerow([f"D{n}", rep_id, f"C{n}", 1000 + n, "Won", "2024-03-01"])
    with (folder / "reps.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["rep_id", "name", "team", "manager"])
        for rep_id, team, manager in reps:
            writer.writerow([rep_id, f"Rep {rep_id}"[:40], team, manager])
    config = folder / "salesperf.yaml"
    config.write_text(
        "sources:\n  deals: {path: deals.csv}\n  reps: {path: reps.csv}\n", encoding="utf-8"
    )
    return config


def _answers(site: Path) -> set[str]:
    """Every entity address of a site: folder/slug of each page or redirect file."""
    return {
        f"{p.parent.parent.name}/{p.parent.name}"
        for folder in ("reps", "teams", "managers")
        for p in (site / folder).glob("*/index.html")
    }


def test_new_ids_never_move_earlier_permalinks(tmp_path: Path) -> None:
    january = [
        ("0058d000004KLmA", "North", "Ann"),
        ("j.smith@acme.example", "North", "Ann"),
        ("REP-001", "South", "Bo"),
    ]
    february = [
        *january,
        ("0058d000004KLma", "north", "ann"),
        ("j_smith@acme.example", "South", "Bo"),
    ]
    first = build(_write_export(tmp_path / "jan", january), tmp_path / "jan-site").out
    second = build(_write_export(tmp_path / "feb", february), tmp_path / "feb-site").out
    before, after = _answers(first), _answers(second)
    assert before <= after, sorted(before - after)
    # January's pages are February's pages: the same address, not a redirect.
    for rep_id, _team, _manager in january:
        page = second / "reps" / slug(rep_id, "rep") / "index.html"
        assert "http-equiv" not in page.read_text(encoding="utf-8")
    # The address 0.1 gave the Salesforce id in January now offers both reps.
    shared = (second / "reps" / "0058d000004klma" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="../{slug(i, "rep")}/"' in shared for i in SALESFORCE)
    # And REP-001's old address redirects to its page.
    moved = (second / "reps" / "rep-001" / "index.html").read_text(encoding="utf-8")
    target = f"../{slug('REP-001', 'rep')}/"
    assert f'<link rel="canonical" href="{target}">' in moved and f'url={target}"' in moved


def test_odd_ids_keep_sections_and_distinct_pages(tmp_path: Path) -> None:
    reps = [(rep_id, ODD_IDS[-1 - n], ODD_IDS[n]) for n, rep_id in enumerate(ODD_IDS)]
    site = build(_write_export(tmp_path / "odd", reps), tmp_path / "site").out
    for section in ("reps", "teams", "managers"):
        index = (site / section / "index.html").read_text(encoding="utf-8")
        assert "<table" in index, f"/{section}/ is no longer the list page"
        pages = {
            p.parent.name
            for p in (site / section).glob("*/index.html")
            if "http-equiv" not in p.read_text(encoding="utf-8")
            and "Which page?" not in p.read_text(encoding="utf-8")
        }
        assert pages == {slug(i, section[:-1]) for i in ODD_IDS}, section
    for name in ("assets", "data", "search"):
        assert (site / name).is_dir() and not (site / name / "index.html").exists()
    assert (site / "assets" / "salesperf.css").is_file() and (
        site / "search" / "search_index.json"
    ).is_file()


@pytest.mark.parametrize("rep_id", ["12345", "jsmith", "rep-001"])
def test_plain_ids_keep_their_published_address(rep_id: str) -> None:
    assert slug(rep_id, "rep") == legacy_slug(rep_id) == rep_id
