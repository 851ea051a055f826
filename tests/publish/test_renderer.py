"""The publishing renderer: Jinja2 without Flask, escaping and translating exactly as the live app does."""

from __future__ import annotations

from datetime import date

import pytest
from flask import render_template_string
from flask_babel import force_locale

from coresp_survey.i18n import language
from coresp_survey.publish.renderer import Renderer
from coresp_survey.publish.renderer import paragraphs

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
TEMPLATE = (
    "<h1>{{ title }}</h1>"
    '<p title="{{ title }}">{{ _("Invitations: %(title)s", title=title) }}</p>'
    "<p>{{ ngettext('%(num)s respondent', '%(num)s respondents', 2, num=title) }}</p>"
    "<p>{{ _('Skip to content') }}</p>"
)


def web_render(app, lang: str, source: str, **context) -> str:
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        return render_template_string(source, **context)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_translated_strings_and_their_variables_are_escaped_as_in_the_web_app(app, lang):
    published = Renderer().environment(lang).from_string(TEMPLATE).render(title=HOSTILE)
    assert published == web_render(app, lang, TEMPLATE, title=HOSTILE)
    assert "<script>" not in published and "<img" not in published
    assert published.count("&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;") == 4


def test_the_translation_is_the_language_of_the_page():
    renderer = Renderer()
    french = renderer.environment("fr").from_string(TEMPLATE).render(title="Collège")
    english = renderer.environment("en").from_string(TEMPLATE).render(title="School")
    assert "Invitations\xa0: Collège" in french and "Aller au contenu" in french
    assert "Invitations: School" in english and "Skip to content" in english


def test_a_hostile_survey_title_is_escaped_on_a_page_of_the_site():
    html = Renderer().render(
        "slips/slips.html", "fr", document_title=language("fr").gettext("Invitations: %(title)s", title=HOSTILE),
        wordings=[], pages=[],
    )  # fmt: skip
    assert "<title>Invitations\xa0: &lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img" in html
    assert "<script>" not in html


def test_the_sitemap_is_xml_and_escaped_too():
    xml = Renderer().render(
        "site/sitemap.xml",
        "en",
        entries=[{"loc": "https://example.org/?a=1&b=<2>", "alternates": {"fr": 'fr/"x".html'}}],
        absolute=lambda path: "https://example.org/" + path,
    )
    assert "<loc>https://example.org/?a=1&amp;b=&lt;2&gt;</loc>" in xml
    assert 'href="https://example.org/fr/&#34;x&#34;.html"' in xml


def test_templates_get_the_language_formats_as_fmt():
    source = "{{ fmt.percent(0.625) }}|{{ fmt.decimal(1234.56) }}|{{ fmt.day(day) }}|{{ fmt.interval(0.5, 0.75) }}"
    renderer = Renderer()
    day = date(2026, 3, 3)
    assert renderer.environment("fr").from_string(source).render(day=day) == (
        "62\xa0%|1\u202f234,6|3 mars 2026|de 50\xa0% à 75\xa0%"
    )
    assert renderer.environment("en").from_string(source).render(day=day) == "62%|1,234.6|March 3, 2026|50% to 75%"


def test_paragraphs_escape_survey_text_and_keep_its_lines():
    assert paragraphs("a <b>\nc\n\nd") == "<p>a &lt;b&gt;<br>c</p>\n<p>d</p>"


def test_the_web_app_templates_get_the_request_language_as_fmt(app):
    """One formatter: the live app's pages format with the same `i18n.Language` as the published ones."""
    source = "{{ fmt.percent(0.625) }}|{{ 0.625|percent }}|{{ 1234.5|decimal }}|{{ fmt.number(1234.5) }}"
    assert web_render(app, "fr", source) == "62\xa0%|62\xa0%|1\u202f234,5|1\u202f234,5"
    assert web_render(app, "en", source) == "62%|62%|1,234.5|1,234.5"


def test_times_in_the_workspace_are_shown_in_utc_whatever_zone_they_were_written_in(app):
    source = "{{ moment|when }}"
    assert web_render(app, "en", source, moment="2026-03-03T10:05:00+02:00") == "Mar 3, 2026, 8:05:00\u202fAM"
    assert web_render(app, "en", source, moment="2026-03-03T08:05:00") == "Mar 3, 2026, 8:05:00\u202fAM"
