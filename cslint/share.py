"""Which rows a worker of a parallel streaming check reads (``check --jobs N``).

Every worker reads every file; a row belongs to exactly one of them: a row
naming a buyer to the worker whose share the buyer's name falls in, any other
row (no buyer, or not a row at all: a CSV line with too few fields, broken
JSON) to the first worker. A worker converts, checks, counts and reports
only its own rows, and reads the others as :data:`SKIPPED`, so the rows and
input errors of all workers add up to those of one process, and every worker
yields one item per row, which keeps their positions in a file the same.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Share:
    """The buyers worker ``number`` of ``of`` checks.

    ``hash`` of a str is salted per interpreter; forked workers share the
    salt, so they agree on every buyer.
    """

    number: int
    of: int

    def owns(self, buyer: str) -> bool:
        return hash(buyer) % self.of == self.number

    @property
    def first(self) -> bool:
        """Whether this worker reads the rows that name no buyer."""
        return self.number == 0


class Skipped:
    """The item a reader yields for a row another worker reads."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "SKIPPED"


SKIPPED = Skipped()
