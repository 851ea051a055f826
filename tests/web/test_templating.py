"""The "same page in the other language" links: one builder for the live app, one for the published site."""

from __future__ import annotations

from coresp_survey.publish import pages
from coresp_survey.web.templating import twins


def test_the_live_app_puts_the_language_in_the_path_where_the_route_has_it(app):
    with app.test_request_context("/"):
        found = twins("respond.page", {"survey_id": "mini", "section_id": "second"}, ["fr", "en"])
    assert found == {"fr": "/fr/mini/page/second/", "en": "/en/mini/page/second/"}


def test_the_workspace_gets_it_in_the_query_string_with_its_other_parameters(app):
    with app.test_request_context("/"):
        found = twins("admin.answers", {"survey_id": "mini", "status": "pending"}, ["fr", "en"])
    assert found == {
        "fr": "/admin/mini/answers/?status=pending&lang=fr",
        "en": "/admin/mini/answers/?status=pending&lang=en",
    }


def test_a_page_that_cannot_be_built_has_no_twin(app):
    with app.test_request_context("/"):
        assert twins("respond.page", {}, ["fr", "en"]) == {}


def test_the_site_twins_are_the_same_file_in_each_language():
    assert pages.twins(["fr", "en"], pages.indicator, "s", "i") == {
        "fr": "fr/s/indicators/i.html",
        "en": "en/s/indicators/i.html",
    }
    assert pages.twins(["fr", "en"], pages.home) == {"fr": "fr/index.html", "en": "en/index.html"}
