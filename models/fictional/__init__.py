"""The fictional cast that the demo and the tests share: no real people, organisations or
communities.

``seeding`` writes the cast to a database and makes applications; ``script`` takes a grant
through its lifecycle step by step.
"""

from models.fictional.script import Step, Variant, actor, steps
from models.fictional.seeding import FUND_CODE, ORGANISATIONS, Cast, application_for, seed

__all__ = [
    "FUND_CODE",
    "ORGANISATIONS",
    "Cast",
    "Step",
    "Variant",
    "actor",
    "application_for",
    "seed",
    "steps",
]
