"""The product list's lines read without a database: delimiters, prices, dates, early refusals."""

import pytest

from backend.catalog.csv_rows import FileProblem, read_lines
from backend.catalog.pictures import MAX_BYTES, demo_picture, small_version
from tests.integration.catalogue_helpers import csv_bytes, line


def test_semicolon_or_comma_a_bom_and_danish_prices_are_read():
    for delimiter in (";", ","):
        raw = "\ufeff".encode() + csv_bytes(line(price="1.234,50"), line(item_no="B", hmi_no="", price="12.5",
                                                                       valid_to="2027-01-31"), delimiter=delimiter)
        lines, errors = read_lines(raw.replace(b"1.234,50", b'"1.234,50"') if delimiter == "," else raw)
        assert errors == []
        assert [(x.item_no, x.price_oere, x.valid_to) for x in lines] == [
            ("T-1000", 123450, None), ("B", 1250, lines[1].valid_to)]
        assert str(lines[1].valid_to) == "2027-01-31"


def test_a_header_without_the_picture_column_is_fine_and_blank_lines_are_skipped():
    header = ("manufacturer", "item_no", "hmi_no", "name", "area", "category", "pack_size", "unit", "price",
              "valid_from", "valid_to", "successor_item_no")
    row = {k: v for k, v in line().items() if k != "picture"}
    lines, errors = read_lines(csv_bytes(row, header=header) + b"\n\n")
    assert errors == [] and len(lines) == 1 and lines[0].picture is None


@pytest.mark.parametrize("raw, message", [
    (b"", "The first line must name the columns"),
    ("manufacturer;item_no\næ;ø\n".encode("latin-1"), "not saved as UTF-8"),
    (csv_bytes(line()) + b"x" * (5 * 1024 * 1024), "larger than"),
    (csv_bytes(), "no products"),
])
def test_whole_file_problems(raw, message):
    with pytest.raises(FileProblem) as caught:
        read_lines(raw)
    assert message in caught.value.message


def test_a_line_with_the_wrong_number_of_columns_is_named():
    raw = csv_bytes(line()) + b"Coloplast;X-1;;Pose\n"
    _lines, errors = read_lines(raw)
    assert [(e.line, e.values["found"]) for e in errors] == [(3, "4")]


def test_every_demo_silhouette_is_small():
    for category in ("one_piece_closed", "two_piece_base_plate", "paste", "catheter_intermittent", "belt"):
        picture = small_version(demo_picture(category, 1))
        assert len(picture.data) <= MAX_BYTES and max(picture.width, picture.height) <= 320
