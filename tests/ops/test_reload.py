"""Building the catalog for a reload in a worker process (issue 15, finding 4)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.catalog import ContentError, load_catalog
from bot.ops.reload import build_catalog_in_worker

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "packs" / "mini"


async def test_the_catalog_is_built_in_another_process_and_answers_like_a_local_one() -> None:
    built = await build_catalog_in_worker(MINI)
    assert built.worker_pid not in (0, os.getpid())

    local = load_catalog(MINI)
    catalog = built.catalog
    assert list(catalog.quotes) == list(local.quotes)
    assert list(catalog.terms) == list(local.terms)
    assert catalog.quotes == local.quotes  # equal models, field by field
    # Every index came across: lookup, autocomplete, search, term scanning.
    assert catalog.find_speaker("tang") == local.find_speaker("tang")
    assert catalog.suggest("term", "s") == local.suggest("term", "s")
    assert catalog.search_quotes("AGI") == local.search_quotes("AGI")
    for quote in local.quotes.values():
        assert catalog.scan_terms(quote.text.zh) == local.scan_terms(quote.text.zh)
    with pytest.raises(TypeError):  # still read-only views
        catalog.quotes["x"] = next(iter(local.quotes.values()))  # type: ignore[index]


async def test_content_errors_come_back_with_every_file_and_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    quotes = content / "mini-summit" / "quotes.yaml"
    text = quotes.read_text(encoding="utf-8")
    quotes.write_text(text.replace("speaker: tangjie", "speaker: nobody", 1), encoding="utf-8")
    with pytest.raises(ContentError) as local:
        load_catalog(content)

    with pytest.raises(ContentError) as remote:
        await build_catalog_in_worker(content)

    assert remote.value.issues == local.value.issues
    assert any(issue.line > 0 and "nobody" in issue.message for issue in remote.value.issues)
    assert str(remote.value) == str(local.value)


async def test_a_missing_folder_is_a_content_error_from_the_worker(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        await build_catalog_in_worker(tmp_path / "nowhere")
    assert [issue.message for issue in caught.value.issues] == ["content folder does not exist"]
