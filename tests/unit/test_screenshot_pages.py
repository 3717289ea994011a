"""The README's pictures stay retakable: every page ``./dev screenshots`` visits is one the dashboard serves,
and every picture the README shows is one it takes (no browser needed to know that)."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from hub.dashboard import PAGES
from hub.settings import REPO_ROOT
from mocks.screenshots import IMAGES, SHOTS, SHOWN_MAPPING, fill


def dashboard_pages() -> set[str]:
    """The routes of the dashboard's pages that a browser can open (GET), as each page module declares them."""
    return {route.path for page in PAGES for route in page.router.routes
            if isinstance(route, APIRoute) and "GET" in route.methods}


def readme_pictures() -> set[str]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"!\[[^\]]+\]\(docs/images/([\w-]+)\.png\)", readme))


def test_every_page_the_screenshots_visit_is_a_page_of_the_dashboard():
    pages = dashboard_pages()
    assert "/masterdata/golden/{golden_id}" in pages  # the routes are read as declared, parameters and all
    unknown = [(shot.name, shot.route) for shot in SHOTS if shot.route not in pages]
    assert not unknown, f"no such dashboard page: {unknown}"


def test_every_picture_in_the_readme_is_taken_by_the_script_and_is_in_docs_images():
    taken = {shot.name for shot in SHOTS}
    shown = readme_pictures()
    assert shown, "the README shows pictures"
    assert shown <= taken, f"pictures the script does not take: {sorted(shown - taken)}"
    assert all((IMAGES / f"{name}.png").is_file() for name in shown)


def test_pictures_have_one_name_each_and_say_what_they_show_in_the_readme():
    names = [shot.name for shot in SHOTS]
    assert len(names) == len(set(names))
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for alt in re.findall(r"!\[([^\]]*)\]\(docs/images/", readme):
        assert len(alt.split()) >= 5, f"alt text too short to say what the picture shows: {alt!r}"


def test_a_route_is_filled_with_the_demos_values_including_a_path_parameter():
    values = {"golden_id": "G-1", "name": "bank/in_payment.received.jsonata"}
    assert fill("/masterdata/golden/{golden_id}", values) == "/masterdata/golden/G-1"
    assert fill("/mappings/{name:path}", values) == "/mappings/bank/in_payment.received.jsonata"


def test_the_pictured_mapping_exists_with_test_cases():
    mapping = REPO_ROOT / "mappings" / SHOWN_MAPPING
    assert mapping.is_file()
    assert mapping.with_name(mapping.name.replace(".jsonata", ".tests.yaml")).is_file()
