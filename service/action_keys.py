"""The ``{action}`` path parameter, constrained before anything else reads it.

Only the shape of a declared key gets through (lower-case letters and underscores, no longer
than the longest declared key): anything else is a 422 that records nothing. A well-formed
name that is not declared is the route's 404 ``unknown-action`` listing the real ones.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from models import lifecycle

LONGEST_ACTION_KEY = max(len(key) for key in lifecycle.ACTIONS_BY_KEY)

ActionKey = Annotated[
    str,
    Path(
        min_length=1,
        max_length=LONGEST_ACTION_KEY,
        pattern=r"^[a-z_]+$",
        description="A lifecycle action's key (see `GET .../actions`)",
        examples=["submit"],
    ),
]
