"""The pure parts of the browser benchmark (tests/bench/browser_settle.py): statistics per kind
of click, which Bokeh websocket messages and DOM mutations count as a change of the page, and
the settle rule over a hand-made page log. No browser, no server."""

from __future__ import annotations

import json

import pytest

from tests.bench.browser_settle import (
    Assembler,
    Message,
    Step,
    is_rendering,
    mutation_counts,
    mutation_ignored,
    mutation_is_idle,
    p95,
    summarize,
    verdicts,
)


def patch(*events: dict) -> Message:
    return Message(0.0, {"msgid": "p1", "msgtype": "PATCH-DOC", "num_buffers": 0},
                   json.dumps({"events": list(events)}))


def changed(attr: str, new, model: str = "p1209") -> dict:
    return {"kind": "ModelChanged", "model": {"id": model}, "attr": attr, "new": new}


BUSY_ON = changed("css_classes", ["loader", "spin", "dark-light"])
BUSY_OFF = changed("css_classes", ["loader", "light"])
LOADING_ON = changed("css_classes", ["pn-loading", "pn-arc"], "p1216")
LOADING_OFF = changed("css_classes", [], "p1216")
TABLE_DATA = {"kind": "ColumnDataChanged", "model": {"id": "p1306"}, "attr": "data",
              "data": {"type": "map", "entries": [["index", {"type": "ndarray", "array": {
                  "type": "bytes", "data": {"id": "p1465"}}, "shape": [25],
                  "dtype": "int32", "order": "little"}]]}}


# -- statistics ------------------------------------------------------------------------------
def test_summarize_per_kind_and_overall():
    samples = [("tab", 100.0), ("tab", 300.0), ("tab", 200.0), ("reset", 50.0), ("tab", None)]
    stats = summarize(samples)
    assert list(stats) == ["tab", "reset", "all clicks"]
    assert stats["tab"] == {"count": 3, "timeouts": 1, "median_ms": 200.0, "p95_ms": 300.0,
                            "max_ms": 300.0}
    assert stats["reset"] == {"count": 1, "timeouts": 0, "median_ms": 50.0, "p95_ms": 50.0,
                              "max_ms": 50.0}
    assert stats["all clicks"] == {"count": 4, "timeouts": 1, "median_ms": 150.0,
                                   "p95_ms": 300.0, "max_ms": 300.0}


def test_summarize_reports_the_median_time_to_the_last_server_message():
    stats = summarize([("tab", 400.0, 100.0), ("tab", 600.0, 300.0), ("tab", 500.0, None),
                       ("tab", None, 50.0)])
    assert stats["tab"]["message_median_ms"] == 200.0  # clicks with a message, not timed out
    assert stats["tab"]["median_ms"] == 500.0 and stats["tab"]["timeouts"] == 1


def test_p95_is_nearest_rank():
    assert p95([float(v) for v in range(1, 21)]) == 19.0
    assert p95([7.0]) == 7.0


def test_a_kind_that_only_timed_out_has_no_figures():
    assert summarize([("search", None)])["search"] == {
        "count": 0, "timeouts": 1, "median_ms": None, "p95_ms": None, "max_ms": None}


# -- websocket messages ----------------------------------------------------------------------
@pytest.mark.parametrize("message", [
    patch(BUSY_ON), patch(BUSY_OFF), patch(LOADING_ON, LOADING_OFF),
    patch(changed("busy", True)),
    patch(),
    Message(0.0, {"msgid": "p9", "msgtype": "OK", "reqid": "ABC"}, "{}"),
    Message(0.0, {"msgid": "p9", "msgtype": "ACK"}, "{}"),
])
def test_busy_and_loading_toggles_and_replies_are_not_rendering(message):
    assert not is_rendering(message)


@pytest.mark.parametrize("message", [
    patch(TABLE_DATA),
    patch(changed("text", "&lt;div class=&quot;totals&quot;&gt;…", "p1218")),
    patch(changed("object", "<b>new</b>", "p1400")),
    patch(BUSY_ON, changed("value", ["2025-09-29", "2025-10-28"], "p1343")),
    patch({"kind": "ColumnsStreamed", "model": {"id": "p1"}, "attr": "data", "data": {}}),
])
def test_data_and_content_changes_are_rendering(message):
    assert is_rendering(message)


def test_the_page_own_messages_never_count():
    sent = patch(TABLE_DATA)
    sent.sent = True
    assert not is_rendering(sent)


def test_frames_are_assembled_into_messages_across_drains():
    assembler = Assembler()
    header = json.dumps({"msgid": "p1464", "msgtype": "PATCH-DOC", "num_buffers": 2})
    content = json.dumps({"events": [TABLE_DATA]})
    frames = [(10.0, header), (10.1, "{}"), (10.2, content), (10.3, '{"id": "p1465"}'),
              (10.4, None), (10.5, '{"id": "p1466"}'), (12.0, None),
              (13.0, json.dumps({"msgid": "p1482", "msgtype": "PATCH-DOC", "num_buffers": 0})),
              (13.1, "{}"), (13.2, json.dumps({"events": [BUSY_OFF]}))]
    done = [m for t, text in frames[:5] if (m := assembler.feed(t, text))]
    assert done == []  # still waiting for the second buffer
    done = [m for t, text in frames[5:] if (m := assembler.feed(t, text))]
    assert [(m.t, m.header["msgid"], is_rendering(m)) for m in done] == [
        (12.0, "p1464", True), (13.2, "p1482", False)]


def test_frames_before_the_first_header_are_skipped():
    assembler = Assembler()
    assert assembler.feed(1.0, None) is None
    assert assembler.feed(1.1, '{"events": []}') is None
    assert assembler.feed(2.0, '{"msgid": "p2", "msgtype": "OK", "reqid": "x"}') is None
    assert assembler.feed(2.1, "{}") is None
    assert assembler.feed(2.2, "{}").msgtype == "OK"


# -- DOM mutations ---------------------------------------------------------------------------
def test_busy_indicator_and_loading_spinner_mutations_are_idle():
    busy = {"type": "attributes", "attr": "class", "tag": "div",
            "cls": "bk-panel-models-markup-HTML loader light", "host": "",
            "old": "bk-panel-models-markup-HTML loader spin dark-light",
            "new": "bk-panel-models-markup-HTML loader light", "visible": True}
    restyled = {"type": "childList", "attr": "", "tag": "style", "cls": "",
                "host": "bk-panel-models-markup-HTML loader light", "visible": True}
    spinner = {"type": "attributes", "attr": "class", "tag": "div",
               "cls": "bk-panel-models-layout-Column", "host": "bk-panel-models-tabs-Tabs",
               "old": "bk-panel-models-layout-Column pn-loading pn-arc",
               "new": "bk-panel-models-layout-Column", "visible": True}
    for mutation in (busy, restyled, spinner):
        assert mutation_is_idle(mutation) and not mutation_counts(mutation)


def test_content_mutations_count_when_visible():
    cell = {"type": "attributes", "attr": "class", "tag": "div", "cls": "tabulator-cell",
            "host": "bk-panel-models-tabulator-DataTabulator", "old": "tabulator-cell",
            "new": "tabulator-cell tabulator-sortable", "visible": True}
    text = {"type": "characterData", "attr": "", "tag": "button", "cls": "bk-btn",
            "host": "bk-panel-models-widgets-Button", "visible": True}
    hidden = {"type": "childList", "attr": "", "tag": "select",
              "cls": "flatpickr-monthDropdown-months", "host": "", "visible": False}
    same = {**cell, "old": "tabulator-cell tabulator-sortable"}  # removed and put back
    assert mutation_counts(cell) and mutation_counts(text)
    assert not mutation_is_idle(hidden) and mutation_ignored(hidden) == "not visible"
    assert mutation_ignored(same) == "no net change"


# -- the settle rule -------------------------------------------------------------------------
def frames(t: float, header: dict, *texts: str | None, direction: str = "in") -> list:
    return [[t, 0, direction, json.dumps(header)], *[[t, 0, direction, x] for x in texts]]


def test_a_click_settles_after_its_last_change_and_once_the_server_is_idle():
    step = Step()
    step.begin(1000.0)
    step.feed({"inputs": [[1005.0, "pointerdown"], [1005.0, "mousedown"]],
               "frames": [
                   *frames(1006.0, {"msgid": "c1", "msgtype": "PATCH-DOC"}, "{}", "{}",
                           direction="out"),
                   *frames(1020.0, {"msgid": "p1", "msgtype": "PATCH-DOC", "num_buffers": 0},
                           "{}", json.dumps({"events": [BUSY_ON]})),
                   *frames(1100.0, {"msgid": "p2", "msgtype": "PATCH-DOC", "num_buffers": 1},
                           "{}", json.dumps({"events": [TABLE_DATA]}), '{"id": "p1465"}'),
                   [1120.0, 0, "in", None]],
               "muts": [[1300.0, {"type": "childList", "tag": "div", "cls": "tabulator-table",
                                  "host": "x", "visible": True}]]})
    assert step.start == 1005.0 and step.last_change == 1300.0
    assert step.busy and step.working  # the click's own message is unanswered
    assert not step.settled(5000.0)
    step.feed({"frames": [
        *frames(1400.0, {"msgid": "p3", "msgtype": "OK", "reqid": "c1"}, "{}", "{}"),
        *frames(1650.0, {"msgid": "p4", "msgtype": "PATCH-DOC", "num_buffers": 0}, "{}",
                json.dumps({"events": [BUSY_OFF]}))],
        "muts": [[1650.0, {"type": "attributes", "attr": "class", "tag": "div",
                           "cls": "loader light", "host": "", "old": "loader spin",
                           "new": "loader light", "visible": True}]]})
    assert not step.working and step.last_reply == 1400.0
    assert not step.settled(1850.0)  # 450 ms after the reply
    assert step.settled(1900.0)
    assert step.elapsed_ms() == pytest.approx(395.0)  # pointerdown → the server's reply
    assert step.message_ms() == pytest.approx(115.0)  # the table data's last buffer
    assert step.ignored_messages == 2 and step.ignored_mutations == 1


def test_a_quiet_gap_while_a_view_is_still_loading_does_not_settle():
    step = Step()
    step.begin(0.0)
    step.feed({"inputs": [[10.0, "pointerdown"]], "frames": frames(
        50.0, {"msgid": "p1", "msgtype": "PATCH-DOC", "num_buffers": 0}, "{}",
        json.dumps({"events": [LOADING_ON]}))})
    assert step.loading == {"p1216"} and not step.settled(2000.0)
    step.feed({"frames": [
        *frames(2100.0, {"msgid": "p2", "msgtype": "PATCH-DOC", "num_buffers": 0}, "{}",
                json.dumps({"events": [changed("text", "KPIs", "p1218")]})),
        *frames(2110.0, {"msgid": "p3", "msgtype": "PATCH-DOC", "num_buffers": 0}, "{}",
                json.dumps({"events": [LOADING_OFF]}))]})
    assert not step.loading and step.settled(2700.0)
    assert step.elapsed_ms() == pytest.approx(2090.0)


def test_a_click_that_changes_nothing_settles_at_zero_and_times_out_when_stuck():
    step = Step(timeout_ms=1000.0)
    step.begin(100.0)
    assert not step.settled(550.0) and step.settled(650.0) and step.elapsed_ms() == 0.0
    step.loading.add("p1216")  # a view's spinner that never goes away
    assert not step.settled(5000.0) and step.timed_out(1200.0)


# -- targets ---------------------------------------------------------------------------------
def test_verdicts_from_a_result():
    def stats(p95_ms, timeouts=0):
        return {"count": 10, "timeouts": timeouts, "median_ms": 1.0, "p95_ms": p95_ms,
                "max_ms": p95_ms}

    result = {"runs": {
        "s1-p1": {"kinds": {"all clicks": stats(250.0)},
                  "page_open": {"page open to KPIs": stats(2500.0)}},
        "s1-p4": {"kinds": {"all clicks": stats(550.0, timeouts=1)}, "page_open": {}}}}
    assert [(scale, figure, verdict) for _what, scale, figure, verdict in verdicts(result)] == [
        ("1", "250 ms", "met"), ("100", "–", "not measured"),
        ("1", "550 ms (1 timed out)", "**not met**"), ("1", "–", "not measured"),
        ("1", "2,500 ms", "**not met**")]
