"""Helpers shared by tests (importable as `helpers`: tests/ is on pytest's pythonpath)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def deliver(data_dir: Path, source: str, name: str, text: str) -> Path:
    folder = data_dir / "landing" / source
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / name
    f.write_text(text)
    return f
