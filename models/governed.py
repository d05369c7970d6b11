"""The state of a governed row changes only through the lifecycle engine.

A contextvar opens a short window inside ``engine.apply_action``; anywhere else, assigning
``state`` raises. SQLAlchemy loads rows by writing ``__dict__`` directly, so reading from the
database is unaffected.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_engine_window: ContextVar[bool] = ContextVar("grantflow_engine_window", default=False)


class StateAssignmentError(AttributeError):
    """Raised when code outside the lifecycle engine tries to set a governed state."""


@contextmanager
def engine_window() -> Iterator[None]:
    token = _engine_window.set(True)
    try:
        yield
    finally:
        _engine_window.reset(token)


class GovernedState:
    """Mixin for tables whose ``state`` column belongs to the lifecycle engine."""

    def __init__(self, **data: Any) -> None:
        if "state" in data and not _engine_window.get():
            raise StateAssignmentError(
                f"{type(self).__name__}.state starts at its initial state; "
                "change it through models.engine.apply_action"
            )
        super().__init__(**data)

    def _state_is_set(self) -> bool:
        # An expired row has no "state" in __dict__ but is still a stored row.
        instance_state = self.__dict__.get("_sa_instance_state")
        has_identity = instance_state is not None and instance_state.has_identity
        return "state" in self.__dict__ or has_identity

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "state" and self._state_is_set() and not _engine_window.get():
            raise StateAssignmentError(
                f"{type(self).__name__}.state cannot be assigned directly; "
                "change it through models.engine.apply_action"
            )
        super().__setattr__(name, value)
