"""The demo's plan: which paths its grants take, and the order a pool starts them in."""

from __future__ import annotations

from typing import get_args

from models.fictional.script import Variant
from service.demo_runner import LONGEST_FIRST, variants


def test_every_path_has_its_place_in_the_pools_order():
    assert sorted(LONGEST_FIRST) == sorted(get_args(Variant))


def test_six_grants_take_six_different_paths_and_more_take_the_full_one():
    assert len(set(variants(6))) == 6
    assert variants(8)[6:] == ["full", "full"]
    assert variants(2) == ["late_report", "amended"]
