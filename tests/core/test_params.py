"""The validated types of requests (core/params.py): ids, offsets, dates and months, for schemas and for forms."""

from datetime import date, datetime

import pytest
from django.urls import resolve
from django.urls.exceptions import Resolver404
from pydantic import TypeAdapter, ValidationError

from kaifaqu.core.params import (
    MAX_ID,
    BoundedDateField,
    Day,
    Id,
    IdChoiceField,
    IdField,
    IdMultipleChoiceField,
    Moment,
    Month,
    MonthField,
    Offset,
    id_parse,
    inline_schema,
    month_parse,
    reference,
    year_parse,
)
from kaifaqu.projects.models import Campaign
from kaifaqu.zones.models import IndustryChain

HUGE = "99999999999999999999"  # 20 digits: beyond a bigint


def refused(kind, value) -> str:
    with pytest.raises(ValidationError) as info:
        TypeAdapter(kind).validate_python(value)
    return info.value.errors()[0]["type"]


def test_ids_and_offsets_are_bounded_to_63_bits():
    assert TypeAdapter(Id).validate_python(MAX_ID) == MAX_ID
    assert TypeAdapter(Id).validate_python("42") == 42
    assert refused(Id, MAX_ID + 1) == "less_than_equal"
    assert refused(Id, 0) == "greater_than_equal"
    assert TypeAdapter(Offset).validate_python(0) == 0
    assert refused(Offset, int(HUGE)) == "less_than_equal"
    assert refused(Offset, -1) == "greater_than_equal"


def test_dates_lie_between_1900_and_2100():
    assert TypeAdapter(Day).validate_python("1900-01-01") == date(1900, 1, 1)
    assert TypeAdapter(Day).validate_python("2100-12-31") == date(2100, 12, 31)
    assert refused(Day, "0001-01-01") == "value_error"
    assert refused(Day, "9999-12-31") == "value_error"
    assert refused(Moment, "0001-01-01T00:00:00") == "value_error"
    assert TypeAdapter(Moment).validate_python("2024-03-01T08:00:00") == datetime(2024, 3, 1, 8)


@pytest.mark.parametrize("text", ["0000-01", "2024-00", "2024-13", "1899-12", "2101-01", "2024-3", "24-03",
                                  "２０２４-03", "2024-03-01", ""])
def test_months_outside_the_format_or_range_are_refused(text):
    assert month_parse(text) is None
    assert refused(Month, text) in ("value_error", "string_too_long")


def test_a_month_is_kept_as_text_and_read_as_its_first_day():
    assert TypeAdapter(Month).validate_python("2024-03") == "2024-03"
    assert month_parse("2024-03") == date(2024, 3, 1)


@pytest.mark.parametrize(("text", "expected"), [("42", 42), (str(MAX_ID), MAX_ID), (HUGE, None), ("0", None),
                                                ("²", None), ("-1", None), ("4 2", None), ("", None), (None, None)])
def test_id_parse(text, expected):
    assert id_parse(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("2024", 2024), ("0000", None), ("9999", None), ("²⁰²⁴", None),
                                                ("", None)])
def test_year_parse(text, expected):
    assert year_parse(text) == expected


def test_a_blank_reference_is_none():
    ref = TypeAdapter(reference(20))
    assert ref.validate_python("") is None
    assert ref.validate_python("  ") is None
    assert ref.validate_python("S147007") == "S147007"
    assert refused(reference(5), "S147007") == "string_too_long"


def test_form_fields_refuse_out_of_range_values_with_a_chinese_message():
    with pytest.raises(Exception) as info:
        IdField(required=False).clean(HUGE)
    assert "应为1至" in str(info.value.messages)
    with pytest.raises(Exception) as info:
        BoundedDateField(required=False).clean("0001-01-01")
    assert info.value.messages == ["日期应在1900-01-01至2100-12-31之间"]
    with pytest.raises(Exception) as info:
        MonthField(required=False).clean("0000-01")
    assert info.value.messages == ["月份格式应为YYYY-MM，年份在1900至2100之间"]
    assert MonthField(required=False).clean("2024-03") == "2024-03"
    assert BoundedDateField(required=False).clean("2024-02-29") == date(2024, 2, 29)


@pytest.mark.django_db
def test_model_choices_refuse_a_huge_id_before_asking_the_database(django_assert_num_queries):
    single = IdChoiceField(queryset=IndustryChain.objects.all(), required=False)
    multiple = IdMultipleChoiceField(queryset=Campaign.objects.all(), required=False)
    with django_assert_num_queries(0):
        with pytest.raises(Exception) as one:
            single.clean(HUGE)
        with pytest.raises(Exception) as many:
            multiple.clean(["1", HUGE])
    assert one.value.code == "invalid_choice"
    assert many.value.code == "invalid_pk_value"
    chain = IndustryChain.objects.first()
    assert single.clean(str(chain.pk)) == chain
    assert single.clean(chain) == chain  # a bound form may carry the row itself


def test_page_paths_take_ids_of_at_most_18_digits():
    assert resolve("/projects/123456789012345678/").kwargs == {"pk": 123456789012345678}
    with pytest.raises(Resolver404):
        resolve(f"/projects/{HUGE}/")


def test_inline_schema_leaves_no_defs():
    from kaifaqu.tickets.api import ActionIn

    schema = inline_schema(ActionIn)
    assert "$defs" not in str(schema) and "$ref" not in str(schema)
    assert schema["properties"]["satisfaction"]["anyOf"][0]["enum"] == ["satisfied", "basic", "dissatisfied"]
