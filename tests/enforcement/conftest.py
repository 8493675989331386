"""tests/enforcement: this folder on sys.path (golden_cases). The built ci city
(``ci_city``) comes from tests/conftest.py."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
