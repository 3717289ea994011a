"""The overview's chart and the trace picture are drawn on the server, from plain numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.dashboard.charts import line_chart, trace_picture
from hub.stats import Series, error_kind


def test_a_line_chart_scales_to_a_round_maximum_and_labels_round_times_in_the_users_zone():
    start = datetime(2026, 11, 22, 1, 50, tzinfo=UTC)
    minutes = [start + timedelta(minutes=i) for i in range(30)]
    chart = line_chart(minutes, [Series("crm", [0.0] * 29 + [7.0])], ZoneInfo("Asia/Shanghai"))
    assert [label for _, label in chart.y_ticks] == ["0", "5", "10"]
    assert [label for _, label in chart.x_ticks] == ["09:50", "09:55", "10:00", "10:05", "10:10", "10:15"]
    assert chart.lines[0].total == 7 and not chart.empty


def test_an_error_rate_is_shown_over_the_whole_window_not_as_a_mean_of_minutes():
    chart = line_chart([datetime(2026, 1, 1, tzinfo=UTC)] * 2, [Series("erp", [0.0, 1.0], overall=0.1)],
                       ZoneInfo("UTC"), percent=True)
    assert chart.lines[0].total == 0.1 and chart.y_ticks[-1][1] == "100%"


def test_a_trace_has_one_lane_per_system_and_marks_failed_deliveries():
    pic = trace_picture([
        {"id": "m1", "connector": "crm", "status": "dead", "label": "SO-1",
         "deliveries": [{"connector": "erp", "operation": "create_order", "status": "dead"},
                        {"connector": "wms", "operation": "reserve", "status": "delivered"}]},
        {"id": "m2", "connector": "erp", "status": "delivered", "label": "credit",
         "deliveries": [{"connector": "crm", "operation": "show_credit", "status": "delivered"}]},
    ])
    assert pic.lanes == ["crm", "erp", "wms"]
    assert [(s.kind, s.lane, s.from_lane, s.failed) for s in pic.steps] == [
        ("message", 0, None, True), ("delivery", 1, 0, True), ("delivery", 2, 0, False),
        ("message", 1, None, False), ("delivery", 0, 1, False)]
    assert [s.row for s in pic.steps] == [0, 1, 2, 3, 4]


def test_dead_letters_are_grouped_by_the_kind_of_their_error():
    assert error_kind('gave up after 3 rounds: HTTP 503: {"n": 5}') == "HTTP 503"
    assert error_kind("gave up after 2 rounds: ConnectError: [Errno 111] Connection refused") == "ConnectError"
    assert error_kind("gave up after 7 rounds: timed out after 5s (ReadTimeout)") == "timed out"
    assert error_kind("outbound mapping failed: x.jsonata: $xref: …") == "outbound mapping failed"


def test_a_week_is_marked_by_day_and_ten_second_buckets_by_minute():
    start = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # midnight in Shanghai
    hours = [start + timedelta(hours=3 * i) for i in range(56)]
    week = line_chart(hours, [Series("crm", [1.0] * 56)], ZoneInfo("Asia/Shanghai"), step=timedelta(hours=3))
    assert [label for _, label in week.x_ticks] == [f"11-{d}" for d in range(23, 30)]
    tens = [start + timedelta(seconds=10 * i) for i in range(60)]
    short = line_chart(tens, [Series("crm", [1.0] * 60)], ZoneInfo("Asia/Shanghai"), step=timedelta(seconds=10))
    assert [label for _, label in short.x_ticks] == ["00:00", "00:02", "00:04", "00:06", "00:08"]
