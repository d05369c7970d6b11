"""The fictional cast that the demo and the tests share: no real people, organisations or
communities.

``cast`` says who and what (the fund, its organisations and their contacts, staff and panel
people, projects); ``rows`` gives their rows' fields; ``seeding`` writes them to a database and
makes applications; ``script`` takes a grant through its lifecycle step by step.
"""

from models.fictional.cast import FUND_CODE, ORGANISATIONS
from models.fictional.script import Step, Variant, actor, steps
from models.fictional.seeding import Cast, application_for, seed

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
