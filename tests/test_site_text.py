"""What the published pages say agrees with what they show: counts in captions, the methodology's
lists and sentences, on the example built once per session."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from generator.site.pages.reps import CLIENTS_ON_PAGE

CAPTION = re.compile(r"<p>(\d+) client\(s\) whose first won deal was this rep's(.*?)</p>")


def _section(page: str, heading: str) -> str:
    """The HTML of a page from its ``<h2>`` named ``heading`` to the next ``<h2>``."""
    start = page.index(f'>{heading}<a class="headerlink"')
    end = page.find("<h2", start)
    return page[start : end if end > 0 else len(page)]


def test_a_rep_page_lists_at_most_its_limit_of_clients_and_says_so(example_build: Path) -> None:
    cut = 0
    for page_file in sorted((example_build / "reps").glob("*/index.html")):
        page = page_file.read_text(encoding="utf-8")
        if "<h2" not in page:  # a redirect stub
            continue
        found = CAPTION.search(page)
        assert found, page_file
        count, rest = int(found[1]), found[2]
        rows = _section(page, "Clients acquired").count("<tr>") - 1  # less the header row
        slug = page_file.parent.name
        with (example_build / "data" / "reps" / f"{slug}-clients.csv").open(encoding="utf-8") as f:
            assert len(list(csv.DictReader(f))) == count, slug
        assert rows == min(count, CLIENTS_ON_PAGE), slug
        if count > CLIENTS_ON_PAGE:
            cut += 1
            assert rest == (
                f"; the {CLIENTS_ON_PAGE} most valuable are listed, all {count} are in the CSV "
                "(<em>Download data</em>)."
            ), slug
        else:
            assert rest == ".", slug
    assert cut > 5  # the example has reps with more clients than the page lists


def test_the_methodology_keeps_every_question_and_states_the_stage_rule(
    example_build: Path,
) -> None:
    page = (example_build / "methodology" / "index.html").read_text(encoding="utf-8")
    questions = re.findall(r"<li><em>([^<]+\?)</em>", page)
    assert "Where are we heading?" in questions and "Can the data be trusted?" in questions
    assert ").- <em>" not in page and ".<strong>Reps.</strong>" not in page
    assert re.search(r"<code>1\.5e3</code>\s+is 1500\.", page)  # not a list item "1500."
    assert "exactly as written. A deal" not in page
    assert "<code>Closed Won</code>, <code>closedwon</code>" in page


def test_segment_indexes_take_the_right_article_and_state_the_flag_rule(
    example_build: Path,
) -> None:
    for folder, noun in (("regions", "A region"), ("channels", "An acquisition method")):
        page = (example_build / folder / "index.html").read_text(encoding="utf-8")
        assert f"{noun}'s <strong>value ratio</strong>" in page, folder
        assert f"{noun} is flagged when the whole 95 % interval of its value ratio" in page
        assert "A acquisition" not in page


def test_data_text_never_holds_the_markers_of_salesperfs_own_html_blocks() -> None:
    """A name holding U+E000 or U+E001 (the block markers) stopped the build ("cut in two"), and a
    balanced pair made the text between them raw HTML: they are entities like any syntax."""
    from generator.site.fragments import html_block, pack, unpack
    from generator.site.text import escape

    name = "Pair A\ue000<b>B</b>\ue001C\ue003"
    assert escape(name) == "Pair A&#57344;&#60;b&#62;B&#60;/b&#62;&#57345;C&#57347;"
    page = f"# {escape(name)}\n\n{html_block('<table></table>')}\n"
    assert unpack(pack(page)) == (f"# {escape(name)}\n\n<!--sp-html:0-->\n", ["<table></table>"])
