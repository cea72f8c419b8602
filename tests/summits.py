"""The second summit: a fictional pack (tests/fixtures/summits/xinghe-2026) beside the real one.

Its article (tests/fixtures/articles/xinghe_summit_2026.txt) was written for this project; 唐杰
(`tangjie`, a person of the real registry content/people.yaml) speaks at both summits.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.paths import REPO_ROOT

CONTENT = REPO_ROOT / "content"
SUMMITS = REPO_ROOT / "tests" / "fixtures" / "summits"
XINGHE = SUMMITS / "xinghe-2026"
XINGHE_ID = "xinghe-2026"
AGI_NEXT_ID = "agi-next-2026"
XINGHE_ARTICLE = REPO_ROOT / "tests" / "fixtures" / "articles" / "xinghe_summit_2026.txt"


def copy_content(dest: Path) -> Path:
    """A copy of the real content folder (the AGI-Next pack and the registry) at `dest`."""
    shutil.copytree(CONTENT, dest)
    return dest


def add_xinghe(content: Path) -> Path:
    """Add the Xinghe pack to a content folder; returns the content folder."""
    shutil.copytree(XINGHE, content / XINGHE_ID)
    return content


def two_summits(dest: Path) -> Path:
    """A content folder with both summits and the shared registry."""
    return add_xinghe(copy_content(dest))
