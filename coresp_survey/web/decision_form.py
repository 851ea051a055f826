"""The workspace's form for one open answer's decision (WTForms): a status, families, the text to publish.

Only text a moderator saw and approved may be published: an emptied text
field never falls back to the original. Going back to the original is its
own button (``redaction=original``); an empty field when rejecting or leaving
pending changes nothing about the redaction, so a later approval (bulk ones
included) still publishes the text approved before. A form without the field
(a script's) leaves the redaction as it is, like a bulk action.
"""

from __future__ import annotations

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms import RadioField
from wtforms import SelectMultipleField
from wtforms import TextAreaField
from wtforms import ValidationError

from coresp_survey.survey.model import Survey
from coresp_survey.workspace import moderation

KEEP = False
"""`DecisionForm.redaction` when the redaction stays as it is; None: the original is published."""


class DecisionForm(Form):
    status = RadioField(validate_choice=False)
    families = SelectMultipleField(validate_choice=False)
    redacted = TextAreaField()

    def __init__(self, formdata: MultiDict, survey: Survey, answer: moderation.OpenAnswer) -> None:
        super().__init__(formdata)
        self.survey = survey
        self.answer = answer
        self.formdata = formdata
        self.redaction: str | None | bool = KEEP

    def validate_status(self, field) -> None:
        if field.data not in moderation.STATUSES:
            raise ValidationError(_("Choose approved, rejected or pending."))

    def validate_families(self, field) -> None:
        field.data = list(dict.fromkeys(field.data or []))
        known = {family.id for family in self.survey.families}
        if any(family not in known for family in field.data):
            raise ValidationError(_("Choose families from the list."))

    def validate_redacted(self, field) -> None:
        """Sets `redaction`: the text to store, None for the original, `KEEP` to leave it as it is."""
        if self.formdata.get("redaction") == "original":
            self.redaction = None
            return
        if "redacted" not in self.formdata:
            return
        typed = (field.data or "").replace("\r\n", "\n")
        limit = self.survey.question(self.answer.question).max_length or 4000
        if len(typed) > limit:
            raise ValidationError(_("The published text can have at most %(max)s characters.", max=limit))
        if not typed.strip():
            if self.status.data == "approved":
                raise ValidationError(
                    _(
                        "The text to publish cannot be empty. Write the text that may be published, use “Publish the"
                        " original text”, or reject the answer."
                    )
                )
            return
        self.redaction = None if typed == self.answer.text else typed

    def problems(self) -> dict[str, str]:
        """The first problem of each field, by field name (the page links each to its field)."""
        return {name: messages[0] for name, messages in self.errors.items() if messages}
