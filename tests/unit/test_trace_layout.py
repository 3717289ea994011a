"""The trace drawing's labels fit their boxes (the full text goes to the hover title)."""

from __future__ import annotations

from hub.dashboard.charts import LABEL_CHARS, MIN_SCALE, label_lines, trace_picture


def test_a_long_label_is_split_into_type_and_business_key_each_cut_to_fit_with_an_ellipsis():
    key = "SKU-DESK-1200-OAK-EXTRA-WIDE-TOP"
    assert label_lines(f"inventory.level_changed {key}") == ["inventory.level_changed", key[: LABEL_CHARS - 1] + "…"]
    assert label_lines("production_order.progress_reported MO-1") == [
        "production_order.progress_reported"[: LABEL_CHARS - 1] + "…", "MO-1"]
    assert label_lines("book_order") == ["book_order"]


def test_the_drawing_is_as_wide_as_its_lanes_and_shrinks_at_most_to_the_minimum_scale():
    messages = [{"id": f"m{i}", "connector": name, "status": "delivered", "label": "x", "deliveries": []}
                for i, name in enumerate(["crm", "erp", "mrp", "mes", "wms", "srm", "oa"])]
    pic = trace_picture(messages)
    assert len(pic.lanes) == 7
    assert pic.width < 1440 - 80  # seven systems fit a 1,440 px screen beside the page's margins
    assert pic.min_width == int(pic.width * MIN_SCALE)
