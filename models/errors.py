"""Why an action was refused. Each error knows its HTTP status and says what to fix."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


class ActionRejected(Exception):
    status = 400
    code = "action-rejected"
    title = "Action rejected"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotFound(ActionRejected):
    status = 404
    code = "not-found"
    title = "Not found"


class UnknownAction(ActionRejected):
    status = 404
    code = "unknown-action"
    title = "Unknown action"


class NotPermitted(ActionRejected):
    status = 403
    code = "not-permitted"
    title = "Not permitted"


class InvalidPayload(ActionRejected):
    status = 422
    code = "invalid-payload"
    title = "Invalid request body"

    def __init__(self, message: str, errors: list[dict[str, str]]) -> None:
        super().__init__(message, errors=errors)
        self.errors = errors


def validate_or_explain(model: type[ModelT], data: Any, what: str) -> ModelT:
    """``data`` as ``model``, or an ``InvalidPayload`` naming every field that is wrong."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data or {})
    except ValidationError as error:
        errors = [
            {"field": ".".join(str(part) for part in e["loc"]) or "body", "message": e["msg"]}
            for e in error.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise InvalidPayload(f"invalid {what}: {summary}", errors) from None


class WrongState(ActionRejected):
    status = 409
    code = "wrong-state"
    title = "Action not available in this state"


class GuardFailed(ActionRejected):
    status = 409
    code = "rule-failed"
    title = "A rule of the fund prevents this action"

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        message = "; ".join(f"{message} [{rule}]" for rule, message in failures)
        super().__init__(message, rules=[rule for rule, _ in failures])
        self.failures = failures

    @property
    def rule(self) -> str:
        return self.failures[0][0]


class IdempotencyConflict(ActionRejected):
    status = 422
    code = "idempotency-key-reused"
    title = "Idempotency key already used for a different request"
