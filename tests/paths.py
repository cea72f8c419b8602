"""Where tests find the repository and the shared material beside it (`../shared`)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
ARTICLE = SHARED / "source" / "000_5fa7106190b3eeef.txt"
