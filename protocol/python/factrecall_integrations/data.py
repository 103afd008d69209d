"""Read the rows ``factrecall env export`` writes (JSON lines: ``question_id``, ``split``,
``dataset``, ``question``, ``prompt`` chat messages, ``answers`` on train only,
``fingerprint``) without loading the whole file at once."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

REQUIRED = ("question_id", "split", "dataset", "question", "prompt", "fingerprint")


class ExportFormatError(ValueError):
    """A line of an export file is not a row ``factrecall env export`` writes."""


def read_export(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield the rows of an export file in order; a malformed line raises ExportFormatError."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ExportFormatError(f"{path}:{n}: not JSON ({e})") from e
            missing = [k for k in REQUIRED if k not in row] if isinstance(row, dict) else REQUIRED
            if missing:
                raise ExportFormatError(f"{path}:{n}: missing {', '.join(missing)}")
            if row["split"] == "test":
                raise ExportFormatError(f"{path}:{n}: test rows are never exported")
            yield row
