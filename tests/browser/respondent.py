"""A respondent in a real browser: what they see of a form page, and what they do on it.

Fields are found as a person finds them, by the stable ids of the page
(``#q-<question>``, ``#q-<question>-question``); every navigation waits for
the next page and keeps the HTML the server sent (for the HTML checker).
"""

from __future__ import annotations

import re

PROGRESS = re.compile(r"(\d+)\D+(\d+)")


class Respondent:
    def __init__(self, page, server) -> None:
        self.page = page
        self.server = server
        self.html = ""
        """The last page as the server sent it."""

    # -- moving -----------------------------------------------------------------------

    def open(self, path: str) -> int:
        response = self.page.goto(self.server.url(path))
        self.html = response.text()
        return response.status

    def navigate(self, action) -> int:
        """Do ``action`` (a click, a key) and wait for the page it leads to."""
        with self.page.expect_navigation() as navigation:
            action()
        response = navigation.value
        self.html = response.text()
        return response.status

    def double_click_to(self, selector: str, path: str) -> None:
        """Double-click ``selector`` and wait until the browser shows ``path``.

        The second click may send the form again, which aborts the first
        navigation in the browser: only where it ends is waited for.
        """
        self.page.dblclick(selector)
        self.page.wait_for_url(self.server.url(path))
        self.html = self.page.content()

    def next(self) -> int:
        return self.navigate(lambda: self.page.click(".navigation button[name=_nav][value=next]"))

    def back(self) -> int:
        return self.navigate(lambda: self.page.click("button[name=_nav][value=back]"))

    def switch_language(self) -> int:
        return self.navigate(lambda: self.page.click(".language-switch"))

    # -- answering --------------------------------------------------------------------

    def choose(self, name: str, *values) -> None:
        for value in values:
            self.page.check(f"input[name='{name}'][value='{value}']")

    def unchoose(self, name: str, value) -> None:
        self.page.uncheck(f"input[name='{name}'][value='{value}']")

    def type(self, name: str, text: str) -> None:
        self.page.fill(f"#q-{name}", text)

    # -- seeing ----------------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self.page.get_attribute("html", "lang")

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.server.base)

    def heading(self) -> str:
        return self.page.inner_text("h1").strip()

    def progress(self) -> tuple[int, int]:
        """(page number, number of pages) as the page says it."""
        number, total = PROGRESS.search(self.page.inner_text("#progress")).groups()
        return int(number), int(total)

    def shown(self, question: str) -> bool:
        """Whether the question is on the page and visible."""
        block = self.page.locator(f"#q-{question}-question")
        return block.count() == 1 and block.is_visible()

    def present(self, question: str) -> bool:
        """Whether the question is in the page at all (shown or hidden by the script)."""
        return self.page.locator(f"#q-{question}-question").count() == 1

    def chosen(self, name: str) -> list[str]:
        return self.page.eval_on_selector_all(
            f"input[name='{name}']:checked", "inputs => inputs.map(input => input.value)"
        )

    def typed(self, name: str) -> str:
        return self.page.input_value(f"#q-{name}")

    def errors(self) -> list[str]:
        return [text.strip() for text in self.page.locator(".error-summary li").all_inner_texts()]
