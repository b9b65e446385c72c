"""Validated types for what a request names: ids, offsets, dates and months (issue 15: no 500 for bad input).

A number beyond 64 bits overflows the database driver, a year 1 or 9999 overflows date arithmetic (a day's end in
Beijing time, a month's last day), a month 0000-01 is no date at all: each used to be a 500. Every API schema and
query parameter takes its ids, dates and months as the pydantic types here (`Id`, `Offset`, `Day`, `Month`), and
every page form as the form fields here (`IdField`, `IdChoiceField`, `IdMultipleChoiceField`, `BoundedDateField`,
`MonthField`), so the bounds are one decision with one Chinese message each.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints

MAX_ID = 2**63 - 1  # the largest value of a bigint primary key
MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2100, 12, 31)
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"

ID_MESSAGE = f"应为1至{MAX_ID}之间的整数"
DAY_MESSAGE = f"日期应在{MIN_DAY:%Y-%m-%d}至{MAX_DAY:%Y-%m-%d}之间"
MONTH_MESSAGE = f"月份格式应为YYYY-MM，年份在{MIN_DAY.year}至{MAX_DAY.year}之间"


def month_start(text: str) -> date:
    """"2024-03" → 2024-03-01, for a month already validated by `Month` or `MonthField`."""
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def month_parse(text: Any) -> date | None:
    """"2024-03" → 2024-03-01; None when it is not a month of the platform's range."""
    if not isinstance(text, str) or not re.fullmatch(MONTH_PATTERN, text):
        return None
    return month_start(text) if MIN_DAY.year <= int(text[:4]) <= MAX_DAY.year else None


def id_parse(text: Any) -> int | None:
    """A query string's or a posted id ("42") as an int; None when it is not an id (not digits, or beyond 63
    bits, which would overflow the database driver)."""
    text = str(text) if text is not None else ""
    return int(text) if re.fullmatch(r"[0-9]{1,19}", text) and 1 <= int(text) <= MAX_ID else None


def year_parse(text: Any) -> int | None:
    """A year given as text ("2024"), within the platform's years; None otherwise."""
    text = str(text) if text is not None else ""
    return int(text) if re.fullmatch(r"[0-9]{4}", text) and MIN_DAY.year <= int(text) <= MAX_DAY.year else None


def _month(text: str) -> str:
    if month_parse(text) is None:
        raise ValueError(MONTH_MESSAGE)
    return text


def _day(value: date) -> date:
    if not MIN_DAY <= value <= MAX_DAY:
        raise ValueError(DAY_MESSAGE)
    return value


def _moment(value: datetime) -> datetime:
    _day(value.date())
    return value


# ---- pydantic types: API schemas, query and path parameters -------------------------------------------------------

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A primary key: a positive 63-bit integer (a bigger one cannot name a row and would overflow the driver)."""

Offset = Annotated[int, Field(ge=0, le=MAX_ID)]
"""A list's offset (or any count that a query compares): 0 up to the 63-bit maximum."""

Day = Annotated[date, AfterValidator(_day)]
"""A date (YYYY-MM-DD) between 1900-01-01 and 2100-12-31."""

Moment = Annotated[datetime, AfterValidator(_moment)]
"""A date and time (ISO 8601) whose date lies between 1900-01-01 and 2100-12-31."""

Month = Annotated[str, Field(max_length=7, examples=["2024-03"], json_schema_extra={"pattern": MONTH_PATTERN}),
                  AfterValidator(_month)]
"""A month as YYYY-MM with a year between 1900 and 2100; `month_start` turns it into the month's first day."""


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def reference(max_length: int) -> Any:
    """An optional code or name that names another row (a zone's code, a chain's name, a username): blank text
    is none, not a reference to look up (an empty string given for a foreign key used to be a 500)."""
    return Annotated[Annotated[str, StringConstraints(max_length=max_length)] | None, BeforeValidator(_blank_to_none)]


# ---- form fields: the pages' filters and forms --------------------------------------------------------------------

def _in_id_range(value: Any) -> bool:
    return id_parse(str(value).strip()) is not None


class IdField(forms.IntegerField):
    """An id typed into a form or a query string (`?event=…`): a positive 63-bit integer."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
        self.error_messages |= {"invalid": ID_MESSAGE, "min_value": ID_MESSAGE, "max_value": ID_MESSAGE}


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose id is checked for range before the database is asked (a 20-digit id overflows
    it)."""

    def to_python(self, value):
        if value not in self.empty_values and not self._acceptable(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def _acceptable(self, value) -> bool:
        return self.to_field_name is not None or isinstance(value, self.queryset.model) or _in_id_range(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose ids are checked for range before the database is asked."""

    def _check_values(self, value):
        for pk in value:
            if self.to_field_name is None and not isinstance(pk, self.queryset.model) and not _in_id_range(pk):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": str(pk)[:30]})
        return super()._check_values(value)


class BoundedDateField(forms.DateField):
    """A date between 1900-01-01 and 2100-12-31: a year 1 or 9999 would overflow the day's bounds in Beijing
    time."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not MIN_DAY <= value <= MAX_DAY:
            raise ValidationError(DAY_MESSAGE, code="out_of_range")


class MonthField(forms.CharField):
    """A month as YYYY-MM (year 1900–2100); cleaned to the same text, `month_start` gives its first day."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and month_parse(value) is None:
            raise ValidationError(MONTH_MESSAGE, code="invalid")


# ---- a PATCH body ------------------------------------------------------------------------------------------------

class PatchIn(Schema):
    """The base of every PATCH body: a field it does not name (unknown, or read-only like a project's `zone` or
    `code`) is refused with a 422 that names it, rather than ignored while the record's version is bumped. A
    field that cannot be empty is declared without `| None` (default None, so leaving it out is allowed, but an
    explicit null is a 422)."""

    model_config = ConfigDict(extra="forbid")


def inline_schema(model: type[Schema]) -> dict:
    """A model's JSON schema with its `$defs` written in place, for an `openapi_extra` request body: a `$ref` to
    `#/$defs/…` would dangle there, the OpenAPI document has no `$defs` at its root."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)


class IdConverter:
    """`<id:pk>` in a page's path: at most 18 digits, so every id it lets through fits a bigint (`<int:…>` took
    any number of digits, and a 20-digit one overflowed the database driver: a 500, not a 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: Any) -> str:
        return str(value)


def bounded_formfield(db_field, **kwargs):
    """A ModelForm's `formfield_callback`: a foreign key becomes an `IdChoiceField`, a date a
    `BoundedDateField`, so a model's form takes ids and dates under the same bounds as every other form."""
    from django.db import models

    if isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", IdChoiceField)
    elif isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", BoundedDateField)
    return db_field.formfield(**kwargs)


# ---- a NUL character, anywhere in a request --------------------------------------------------------------------

NUL_MESSAGE = "请求中含有空字符（NUL），无法处理"
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _has_nul(request) -> bool:
    if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                     for key, values in request.GET.lists()):
        return True
    if request.content_type == "application/json":
        return bool(_JSON_NUL.search(request.body))
    if request.content_type == "application/x-www-form-urlencoded":
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    return False  # a multipart upload's text fields go through forms, which refuse NUL themselves


class NulRefusedMiddleware:
    """A request whose path, query or text body holds a NUL character is a 400 in Chinese. PostgreSQL cannot store
    or compare a NUL in text (the driver raises, a 500); a NUL can reach a query through any string parameter of
    the API, or a page's `?q=`, so it is refused once here rather than in each of them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
