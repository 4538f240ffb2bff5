"""The intake's pure parts: the API examples decode with the real structs, the shape checks of a
grant command, the CSV reader, and which status a refused API request answers with."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from backend.intake import examples
from backend.intake.checks import check_shape
from backend.intake.csv_import import FileRefused, decode, parse
from backend.intake.models import CHANGE, CREATE, GrantChange, GrantCreate, GrantEnd, Line, Problem, line_from_create
from backend.intake.problems import line_problem
from tests.integration.csv_helpers import csv_bytes, grant_row


def test_every_example_decodes_with_the_real_structs():
    for body, struct in ((examples.DISCHARGE, GrantCreate), (examples.MUNICIPAL, GrantCreate),
                         (examples.CHANGE, GrantChange), (examples.END, GrantEnd), (examples.PROBLEM, Problem)):
        msgspec.convert(body, struct, strict=False)


def codes(line: Line) -> set[tuple[str, str]]:
    check_shape(line)
    return {(field, code) for field, code, _ in line.errors}


def test_a_good_create_has_no_errors_and_its_cpr_is_normalised():
    line = line_from_create(msgspec.convert(examples.DISCHARGE, GrantCreate, strict=False))
    assert codes(line) == set() and line.cpr == "1203561234"


@pytest.mark.parametrize("changes, expected", [
    ({"cpr": "1203561-234"}, ("cpr", "bad_cpr")),
    ({"cpr": "12035612345"}, ("cpr", "bad_cpr")),
    ({"period_days": 0}, ("period_days", "bad_period")),
    ({"period_days": 367}, ("period_days", "bad_period")),
    ({"quantity_per_period": 0}, ("quantity_per_period", "bad_quantity")),
    ({"valid_to": dt.date(2026, 11, 24)}, ("valid_to", "end_before_start")),
    ({"reference": "2026/17"}, ("reference", "bad_reference")),
    ({"reference": "  "}, ("reference", "required")),
    ({"name": ""}, ("name", "required")),
    ({"hmi_no": None, "manufacturer": "Coloplast"}, ("product", "no_product")),
])
def test_each_bad_field_is_named(changes, expected):
    line = line_from_create(msgspec.convert(examples.DISCHARGE, GrantCreate, strict=False))
    for name, value in changes.items():
        setattr(line, name, value)
    assert codes(line) == {expected}


def test_a_change_needs_only_its_reference():
    assert codes(Line(1, CHANGE, "X-1", quantity_per_period=5)) == set()
    assert codes(Line(1, CREATE, "X-1")) >= {("cpr", "bad_cpr"), ("municipality_code", "required")}


def test_the_csv_reader_takes_semicolons_or_commas_danish_dates_and_names_short_lines():
    rows = [grant_row(1, valid_from="01-12-2026"), grant_row(2, valid_from="2026-12-01")]
    for delimiter in (";", ","):
        lines, unreadable = parse(decode(csv_bytes(rows, delimiter=delimiter)))
        assert [line.valid_from for line in lines] == [dt.date(2026, 12, 1)] * 2 and unreadable == []
        assert [line.number for line in lines] == [2, 3]
    text = decode(csv_bytes(rows)) + "too;few;fields\r\n"
    lines, unreadable = parse(text)
    assert [number for number, _ in unreadable] == [4]
    with pytest.raises(FileRefused):
        decode("æøå".encode("latin-1"))


def test_a_refused_request_answers_with_its_most_telling_status():
    line = Line(1, CREATE, "X")
    line.error("period_days", "bad_period")
    assert line_problem(line).status_code == 422
    line.error("reference", "reference_conflict")
    assert line_problem(line).status_code == 409
    line.error("municipality_code", "not_your_citizen", authority="A", municipality="B")
    problem = line_problem(line)
    assert problem.status_code == 403 and len(problem.problem.errors) == 3
