"""The demo municipality: a deterministic world that writes source-system extracts.

    from simulator import generate
    generate("ci", seed=7, out=Path("data"))          # -> summary dict

or ``python -m simulator --preset ci --seed 7 --out data``. The same preset, seed and end
date always give byte-identical files. See ``simulator/README.md``.
"""

from __future__ import annotations

from .cli import cli_main
from .core import DEFAULT_END, generate
from .presets import PRESETS, Preset

__all__ = ["generate", "cli_main", "PRESETS", "Preset", "DEFAULT_END"]
