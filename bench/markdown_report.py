"""The one way every benchmark writes its figures: its own section of docs/performance.md."""

from __future__ import annotations

from pathlib import Path


def write_section(path: Path, section: str) -> None:
    """Replaces this benchmark's section of the Markdown file (or appends it), leaving
    the other sections as they are."""
    title = section.splitlines()[0]
    text = (
        path.read_text()
        if path.exists()
        else "# Performance\n\nFigures from the benchmarks in `bench/`; each section says how it was measured.\n\n"
    )
    body = section.rstrip("\n") + "\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip("\n") == title), None)
    if start is None:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        rest = "".join(lines[end:])
        text = "".join(lines[:start]) + body + ("\n" + rest if rest else "")
    path.write_text(text)
