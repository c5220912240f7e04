"""The callback input layer: a control's value is a known choice or a bounded number, else a
clear InvalidInput (answered 400 with JSON), whatever a client puts in the request."""

from __future__ import annotations

import pytest

from ui.inputs import InvalidInput, bounded_int, choice, text


@pytest.mark.parametrize("value", [1e12, "nan", "abc", -5, 31.5, True, float("inf"), [], {"a": 1}])
def test_a_window_outside_the_offered_choices_is_refused_by_name(value):
    with pytest.raises(InvalidInput, match="window must be one of: 7, 30, 90"):
        choice("window", value, (7, 30, 90), 30)


def test_offered_choices_and_the_default_pass():
    assert choice("window", 7, (7, 30, 90), 30) == 7 and choice("window", None, (7, 30, 90), 30) == 30


@pytest.mark.parametrize(("value", "expected"), [(24, 24), ("48", 48), (1.0, 1), (None, 24), ("", 24), (168, 168)])
def test_bounded_whole_numbers(value, expected):
    assert bounded_int("hours", value, 1, 168, default=24) == expected


@pytest.mark.parametrize("value", [0, 169, 1e12, "1e400", "nan", "abc", -5, 2.5, True, float("-inf"), [1]])
def test_numbers_out_of_bounds_or_not_whole_are_refused(value):
    with pytest.raises(InvalidInput, match="hours must be"):
        bounded_int("hours", value, 1, 168, default=24)


def test_free_text_is_cut_and_must_be_text():
    assert text("search", "x" * 500, 100) == "x" * 100 and text("search", None, 10) is None
    with pytest.raises(InvalidInput, match="search must be text"):
        text("search", {"$ne": 1}, 100)
