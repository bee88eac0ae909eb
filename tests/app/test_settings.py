"""Numeric settings from the environment: a typo stops with the variable and its value named."""

from __future__ import annotations

import pytest

from app.settings import env_int


def test_a_set_value_is_read_and_an_unset_or_empty_one_is_the_default():
    assert env_int("X", 4, environ={"X": " 8 "}) == 8
    assert env_int("X", 4, environ={}) == 4
    assert env_int("X", 4, environ={"X": ""}) == 4
    assert env_int("X", 4, environ={"X": "0"}) == 0


@pytest.mark.parametrize("raw", ["four", "2.5", "-1"])
def test_a_value_that_is_not_a_whole_number_in_range_names_the_variable_and_the_value(raw):
    with pytest.raises(ValueError) as error:
        env_int("CAMPAIGN_BI_SPARE_VIEWS", 4, environ={"CAMPAIGN_BI_SPARE_VIEWS": raw})
    assert str(error.value) == (f"CAMPAIGN_BI_SPARE_VIEWS must be a whole number of at least 0, "
                                f"got {raw!r}")


def test_a_minimum_is_enforced():
    with pytest.raises(ValueError, match="CAMPAIGN_BI_DATA_CHECK_MS must be a whole number of "
                                         "at least 1, got '0'"):
        env_int("CAMPAIGN_BI_DATA_CHECK_MS", 5000, minimum=1,
                environ={"CAMPAIGN_BI_DATA_CHECK_MS": "0"})
