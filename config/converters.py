"""URL converters: an id in a path is a positive 64-bit integer, or the URL does not match (404).

Django's ``int`` converter takes any number of digits, and an id past the database's
bigint reached the query as an OverflowError (a 500).
"""

from __future__ import annotations


class IdConverter:
    # 18 digits stay below 2**63; an id never starts with 0.
    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
