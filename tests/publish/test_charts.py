"""The SVG charts: well-formed, accessible, proportional, escaped, localised and byte-stable."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from babel.numbers import format_percent
from markupsafe import Markup

from coresp_survey.publish import charts

NS = {"svg": "http://www.w3.org/2000/svg"}
LEVELS = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]
HIDDEN = "fewer than 5 respondents: not published"
HOSTILE = '<script>alert("x")</script> & "quoted" \'single\''


def diverging(rows=(("All", [1, 1, 2, 4, 2]),), levels=LEVELS, lang="en", **kwargs) -> Markup:
    options = {
        "title": "I feel safe",
        "description": "Answers by group",
        "id_prefix": "safe",
        "suppressed_label": HIDDEN,
    }
    options.update(kwargs)
    return charts.diverging_bars(list(rows), levels, lang=lang, **options)


def dots(rows=(("All", 0.6, 0.5, 0.7),), lang="en", **kwargs) -> Markup:
    options = {"title": "Good answers", "description": "Share with 95% interval", "id_prefix": "share"}
    options.update({"suppressed_label": HIDDEN} | kwargs)
    return charts.interval_dots(list(rows), lang=lang, **options)


def families(rows=(("Well-being", 72.5),), lang="en", **kwargs) -> Markup:
    options = {"title": "Family scores", "description": "Scores 0 to 100", "id_prefix": "families"}
    options.update({"suppressed_label": HIDDEN} | kwargs)
    return charts.family_bars(list(rows), lang=lang, **options)


CHARTS = [diverging, dots, families]
SUPPRESSED_ROWS = {
    diverging: [("All", [1, 1, 2, 4, 2]), ("Parents", None)],
    dots: [("All", 0.6, 0.5, 0.7), ("Parents", None, None, None)],
    families: [("Well-being", 72.5), ("Parents", None)],
}


def parse(svg: Markup) -> ET.Element:
    return ET.fromstring(str(svg))


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [element for element in root.iter() if element.get("class") == name]


def texts(root: ET.Element, name: str) -> list[str]:
    return [element.text or "" for element in by_class(root, name)]


def floats(elements: list[ET.Element], attribute: str) -> list[float]:
    return [float(element.get(attribute)) for element in elements]


# -- every chart ---------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_is_markup_and_well_formed_xml(chart):
    svg = chart()
    assert isinstance(svg, Markup)
    assert parse(svg).tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_is_an_image_named_by_its_title_and_description(chart):
    root = parse(chart(title="The title", description="The description", id_prefix="c7"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c7-title c7-desc"
    assert root.find("svg:title", NS).get("id") == "c7-title"
    assert root.find("svg:title", NS).text == "The title"
    assert root.find("svg:desc", NS).get("id") == "c7-desc"
    assert root.find("svg:desc", NS).text == "The description"


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_scales_with_its_container(chart):
    root = parse(chart())
    assert root.get("width") == "100%"
    assert root.get("height") is None
    x, y, width, height = (float(v) for v in root.get("viewBox").split())
    assert (x, y, width) == (0, 0, 600) and height > 0


@pytest.mark.parametrize("chart", CHARTS)
def test_text_is_at_least_12px_when_shown_600px_wide(chart):
    root = parse(chart(rows=SUPPRESSED_ROWS[chart]))
    sizes = [float(t.get("font-size")) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert sizes and min(sizes) >= 12


@pytest.mark.parametrize("chart", CHARTS)
def test_ids_follow_the_prefix_so_two_charts_can_share_a_page(chart):
    first, second = parse(chart(id_prefix="a1")), parse(chart(id_prefix="b2"))
    ids = {e.get("id") for root in (first, second) for e in root.iter() if e.get("id")}
    assert ids == {"a1-title", "a1-desc", "b2-title", "b2-desc"}


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("prefix", ["", "1chart", 'x" onload="alert(1)', "a b"])
def test_unusable_id_prefix_is_refused(chart, prefix):
    with pytest.raises(ValueError, match="id_prefix"):
        chart(id_prefix=prefix)


@pytest.mark.parametrize("chart", CHARTS)
def test_suppressed_row_draws_nothing_and_says_why(chart):
    root = parse(chart(rows=SUPPRESSED_ROWS[chart]))
    assert texts(root, "suppressed") == [HIDDEN]
    assert texts(root, "label") == [SUPPRESSED_ROWS[chart][0][0], "Parents"]
    marks = by_class(root, "segment") + by_class(root, "dot") + by_class(root, "bar")
    suppressed_y = float(by_class(root, "suppressed")[0].get("y"))
    assert all(
        not (float(m.get("y", m.get("cy"))) - 30 < suppressed_y < float(m.get("y", m.get("cy"))) + 30) for m in marks
    )


@pytest.mark.parametrize("chart", CHARTS)
def test_hostile_text_is_escaped_everywhere(chart):
    first = SUPPRESSED_ROWS[chart][0]
    rows = [(HOSTILE, *first[1:]), SUPPRESSED_ROWS[chart][1]]
    svg = chart(rows=rows, title=HOSTILE, description=HOSTILE, suppressed_label=HOSTILE)
    assert "<script" not in svg
    root = parse(svg)
    assert root.find("svg:title", NS).text == HOSTILE
    assert root.find("svg:desc", NS).text == HOSTILE
    assert texts(root, "label")[0] == HOSTILE
    assert texts(root, "suppressed") == [HOSTILE]


@pytest.mark.parametrize("chart", CHARTS)
def test_characters_xml_cannot_carry_are_dropped(chart):
    first = SUPPRESSED_ROWS[chart][0]
    root = parse(chart(rows=[("a\x00b\x0bc\x1f", *first[1:])], title="t\x08"))
    assert texts(root, "label") == ["abc"]
    assert root.find("svg:title", NS).text == "t"


@pytest.mark.parametrize("chart", CHARTS)
def test_same_figures_give_the_same_bytes(chart):
    assert str(chart(rows=SUPPRESSED_ROWS[chart])) == str(chart(rows=SUPPRESSED_ROWS[chart]))


@pytest.mark.parametrize("chart", CHARTS)
def test_no_script_no_handler_no_external_resource(chart):
    root = parse(chart(rows=SUPPRESSED_ROWS[chart]))
    tags = {element.tag.split("}")[1] for element in root.iter()}
    assert tags <= {"svg", "title", "desc", "rect", "line", "circle", "text"}
    attributes = [(name, value) for element in root.iter() for name, value in element.attrib.items()]
    assert not [name for name, _ in attributes if name.startswith("on") or "href" in name]
    assert not [value for _, value in attributes if "url(" in value]


# -- diverging bars ------------------------------------------------------------------


def test_segment_widths_are_proportional_to_counts():
    widths = floats(by_class(parse(diverging(rows=[("All", [1, 1, 2, 4, 2])])), "segment"), "width")
    unit = widths[0]
    assert widths == pytest.approx([unit, unit, 2 * unit, 4 * unit, 2 * unit], abs=0.02)


def test_segments_follow_each_other_without_gaps():
    segments = by_class(parse(diverging(rows=[("All", [3, 1, 2, 4, 7])])), "segment")
    ends = [float(s.get("x")) + float(s.get("width")) for s in segments[:-1]]
    assert floats(segments[1:], "x") == pytest.approx(ends, abs=0.02)


@pytest.mark.parametrize("counts", [[1, 1, 2, 4, 2], [9, 0, 1, 0, 0], [0, 0, 5, 0, 0], [0, 0, 0, 3, 8]])
def test_centre_line_sits_at_the_middle_of_the_neutral_level(counts):
    root = parse(diverging(rows=[("All", counts), ("Other", [2, 3, 4, 5, 6])]))
    centre = float(by_class(root, "centre")[0].get("x1"))
    for neutral in by_class(root, "segment")[2::5]:
        assert float(neutral.get("x")) + float(neutral.get("width")) / 2 == pytest.approx(centre, abs=0.02)


def test_centre_mark_stands_beside_each_bar_only_never_through_a_label():
    root = parse(diverging(rows=[("All", [1, 1, 2, 4, 2]), ("Small", None), ("Other", [2, 3, 4, 5, 6])]))
    marks = by_class(root, "centre")
    assert len(marks) == 2  # none for the suppressed row
    labels = by_class(root, "label") + by_class(root, "suppressed")
    for mark in marks:
        top, bottom = float(mark.get("y1")), float(mark.get("y2"))
        for label in labels:
            assert not top <= float(label.get("y")) <= bottom, label.text


def test_even_scale_balances_on_the_boundary_between_its_halves():
    root = parse(diverging(rows=[("All", [1, 3, 2, 2])], levels=["--", "-", "+", "++"]))
    centre = float(by_class(root, "centre")[0].get("x1"))
    assert float(by_class(root, "segment")[2].get("x")) == pytest.approx(centre, abs=0.02)


def test_bars_fill_the_width_between_the_longest_halves():
    root = parse(diverging(rows=[("Low", [8, 0, 0, 0, 0]), ("High", [0, 0, 0, 0, 8])]))
    segments = by_class(root, "segment")
    assert float(segments[0].get("x")) == pytest.approx(charts.PAD)
    last = segments[-1]
    assert float(last.get("x")) + float(last.get("width")) == pytest.approx(600 - charts.PAD)


def test_percentages_are_written_on_wide_segments_only():
    root = parse(diverging(rows=[("All", [1, 1, 20, 40, 38])]))
    assert texts(root, "value") == ["20%", "40%", "38%"]


def test_every_segment_names_its_level_and_share_for_hover():
    root = parse(diverging(rows=[("All", [1, 1, 2, 4, 2])]))
    titles = [s.find("svg:title", NS).text for s in by_class(root, "segment")]
    assert titles == ["Strongly disagree: 10%", "Disagree: 10%", "Neither: 20%", "Agree: 40%", "Strongly agree: 20%"]


def test_legend_lists_levels_low_to_high_with_their_colours():
    root = parse(diverging())
    assert texts(root, "legend") == LEVELS
    assert [s.get("fill") for s in by_class(root, "swatch")] == list(charts.palette(5))
    assert [s.get("fill") for s in by_class(root, "segment")] == list(charts.palette(5))


def test_french_percentages_use_babel_spacing():
    assert format_percent(0.425, locale="fr") == "42\u00a0%"
    root = parse(diverging(rows=[("Tous", [0, 0, 0, 425, 575])], lang="fr"))
    assert texts(root, "value") == ["42\u00a0%", "58\u00a0%"]


def test_wrong_number_of_counts_is_refused():
    with pytest.raises(ValueError, match="5 counts"):
        diverging(rows=[("All", [1, 2, 3])])


def test_a_row_without_any_answer_is_shown_as_suppressed():
    root = parse(diverging(rows=[("All", [0, 0, 0, 0, 0])]))
    assert by_class(root, "segment") == []
    assert texts(root, "suppressed") == [HIDDEN]


def test_unsupported_scale_length_is_refused():
    with pytest.raises(ValueError, match="2 to 11 levels"):
        diverging(rows=[("All", [1] * 12)], levels=[str(i) for i in range(12)])


# -- palette -------------------------------------------------------------------------


@pytest.mark.parametrize("levels", sorted(charts.RDBU))
def test_text_on_every_segment_colour_passes_wcag_aa(levels):
    for fill in charts.palette(levels):
        assert charts.contrast_ratio(charts.text_colour(fill), fill) >= 4.5


@pytest.mark.parametrize("levels", sorted(charts.RDBU))
def test_middle_level_is_visible_on_white(levels):
    colours = charts.palette(levels)
    assert len(colours) == levels
    if levels % 2:
        assert colours[levels // 2] == charts.NEUTRAL


def test_contrast_ratio_matches_wcag_reference_values():
    assert charts.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert charts.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("colour", [charts.INK, charts.MUTED, charts.BAR])
def test_chart_ink_is_readable_on_white(colour):
    assert charts.contrast_ratio(colour, "#ffffff") >= 4.5


# -- interval dots -------------------------------------------------------------------


def test_dots_and_whiskers_sit_at_their_values():
    root = parse(dots(rows=[("A", 0.5, 0.25, 0.75), ("B", 1.0, 0.9, 1.0)]))
    left, right = charts._Axis(1, "en").left, charts._Axis(1, "en").right
    span = right - left
    assert floats(by_class(root, "dot"), "cx") == pytest.approx([left + span / 2, right], abs=0.02)
    whisker = by_class(root, "whisker")[0]
    assert float(whisker.get("x1")) == pytest.approx(left + span / 4, abs=0.02)
    assert float(whisker.get("x2")) == pytest.approx(left + 3 * span / 4, abs=0.02)


def test_dot_values_are_written_right_of_the_whisker_in_the_given_order():
    root = parse(dots(rows=[("B", 0.8, 0.7, 0.9), ("A", 0.3, 0.2, 0.4)]))
    assert texts(root, "label") == ["B", "A"]
    assert texts(root, "value") == ["80%", "30%"]
    for value, whisker in zip(by_class(root, "value"), by_class(root, "whisker"), strict=True):
        assert float(value.get("x")) > float(whisker.get("x2"))


def test_dots_without_interval_draw_no_whisker():
    root = parse(dots(rows=[("A", 0.5, None, None)]))
    assert by_class(root, "whisker") == [] and len(by_class(root, "dot")) == 1


def test_dots_on_a_score_axis():
    root = parse(dots(rows=[("A", 72.5, 60.0, 80.0)], axis_max=100, lang="fr"))
    assert texts(root, "value") == ["72,5"]
    assert texts(root, "tick") == ["0", "25", "50", "75", "100"]


def test_dot_ticks_are_french_percentages():
    assert texts(parse(dots(lang="fr")), "tick") == ["0\u00a0%", "25\u00a0%", "50\u00a0%", "75\u00a0%", "100\u00a0%"]


def test_axis_maximum_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        dots(axis_max=0)


# -- family bars ---------------------------------------------------------------------


def test_family_bar_lengths_are_proportional_to_scores():
    root = parse(families(rows=[("A", 25.0), ("B", 50.0), ("C", 100.0), ("D", 0.0)]))
    widths = floats(by_class(root, "bar"), "width")
    assert widths == pytest.approx([widths[2] / 4, widths[2] / 2, widths[2], 0], abs=0.02)


def test_family_scores_are_written_at_the_bar_end_in_french():
    root = parse(families(rows=[("Bien-être", 72.5), ("Relations", 1234.5 / 100)], lang="fr"))
    assert texts(root, "value") == ["72,5", "12,3"]
    for bar, value in zip(by_class(root, "bar"), by_class(root, "value"), strict=True):
        assert float(value.get("x")) > float(bar.get("x")) + float(bar.get("width"))
