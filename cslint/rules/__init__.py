"""Rule kinds. Importing this package registers every kind in ``KINDS``."""

from cslint.rules import flow, leak, lexical, ratio, timing  # noqa: F401  (registration)
from cslint.rules.base import KINDS, Rule, RuleSpec

__all__ = ["KINDS", "Rule", "RuleSpec"]
