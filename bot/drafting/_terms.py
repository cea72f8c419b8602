"""Glossary candidates: Latin-script terms, glossed pairs and recurring Chinese terms of art."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pypinyin import lazy_pinyin

MAX_USES = 2
MIN_USE_PARAGRAPH = 30
USE_CHARS = 120
_LATIN = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9.+\-]*(?: (?:for |of |and )?[A-Z][A-Za-z0-9.+\-]*)*"
)
# In English prose only single words can be told apart as terms (acronyms, CamelCase).
_WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9+\-]*[A-Za-z0-9]")
_GLOSS_AFTER = re.compile(
    r"(?<![A-Za-z])([A-Za-z][A-Za-z0-9 .\-]*[A-Za-z0-9])[（(]"
    r"(?:编者注[:：])?([\u4e00-\u9fff]{2,12})"
)
_GLOSS_BEFORE = re.compile(r"([\u4e00-\u9fff]{2,6})[（(]([A-Za-z][A-Za-z .\-]*[A-Za-z])[,，)）]")
_ZH_SUFFIXES = ("学习", "模型", "范式", "优化器", "智能", "算法", "效率", "能力", "认知", "记忆")
_NOT_TERM_START = frozenset("的是了在和与对把被将就也都还又从这那个一种些该其让用做有为好最更很新")
_NOT_GLOSS = ("这里指", "即", "指", "也就是", "一种", "比如", "例如")
_PRONOUNS = frozenset({"他们", "她们", "它们", "我们", "你们", "大家", "对方"})
_STOP = frozenset({"ID", "App", "http", "https", "www", "com", "html", "I", "A", "The"})
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]?")


@dataclass(frozen=True)
class Candidate:
    id: str
    zh: str
    en: str
    uses: tuple[str, ...]


def candidates(texts: list[str], names: list[str], english: bool) -> list[Candidate]:
    """Terms an editor may want in the glossary, in order of first use, with example sentences."""
    body = [text for text in texts if not re.search(r"https?://", text)]
    joined = "\n".join(body)
    pairs: dict[str, tuple[str, str]] = {}  # folded surface → (zh, en)
    for match in _GLOSS_AFTER.finditer(joined):
        gloss = match.group(2)
        if not gloss.startswith(_NOT_GLOSS):  # Efficiency(这里指…) explains, it doesn't name
            _add(pairs, gloss, match.group(1).strip())
    for match in _GLOSS_BEFORE.finditer(joined):
        named = re.split(r"[的了是在]", match.group(1))[-1]  # 提供更好的先验(Prior) → 先验
        if len(named) >= 2 and named not in _PRONOUNS:  # 他们(DeepSeek) glosses a pronoun
            _add(pairs, named, match.group(2).strip())
    person_words = {part for name in names for part in name.split()}
    for match in (_WORD if english else _LATIN).finditer(joined):
        word = match.group(0).strip(".-+")
        if _latin_term(word, english) and word not in person_words and word not in names:
            _add(pairs, word, word)
    if not english:
        for term in _recurring_chinese(joined, names):
            _add(pairs, term, term)
    found: list[Candidate] = []
    taken: set[str] = set()
    for zh, en in sorted(set(pairs.values()), key=lambda pair: _first_use(joined, pair)):
        found.append(
            Candidate(_slug(en if en.isascii() else zh, taken), zh, en, _uses(body, zh, en))
        )
    return found


def _add(pairs: dict[str, tuple[str, str]], zh: str, en: str) -> None:
    keys = {zh.casefold(), en.casefold()}
    if any(key in pairs for key in keys):
        return
    for key in keys:
        pairs[key] = (zh, en)


def _latin_term(word: str, english: bool) -> bool:
    if len(word) < 2 or word in _STOP or word.islower():
        return False
    if english:  # ordinary capitalised words are not terms: acronyms and CamelCase are
        return bool(re.fullmatch(r"[A-Z0-9][A-Z0-9.+\-]+|[A-Za-z]*[a-z][A-Z][A-Za-z0-9]*", word))
    return True


def _recurring_chinese(text: str, names: list[str]) -> list[str]:
    counts: Counter[str] = Counter()
    for size in range(3, 7):
        for start in range(len(text) - size + 1):
            gram = text[start : start + size]
            chinese = re.fullmatch(r"[\u4e00-\u9fff]+", gram) and "的" not in gram
            if chinese and gram.endswith(_ZH_SUFFIXES):
                counts[gram] += 1
    kept = [
        gram
        for gram, count in counts.items()
        if count >= 3 and gram[0] not in _NOT_TERM_START and not any(name in gram for name in names)
    ]
    # Drop a gram inside a longer kept gram used as often (模型训练 inside 大模型训练 ×3).
    return [
        gram
        for gram in kept
        if not any(
            gram != other and gram in other and counts[other] == counts[gram] for other in kept
        )
    ]


def _first_use(text: str, pair: tuple[str, str]) -> int:
    positions = [text.find(form) for form in pair if text.find(form) >= 0]
    return min(positions, default=len(text))


def _uses(texts: list[str], zh: str, en: str) -> tuple[str, ...]:
    uses: list[str] = []
    for text in texts:
        if len(text) < MIN_USE_PARAGRAPH:  # titles, tags and bylines say nothing about a term
            continue
        for sentence in _SENTENCE.findall(text):
            if (zh in sentence or en in sentence) and sentence.strip():
                clean = sentence.strip().lstrip('”」"')
                if clean in uses:
                    continue
                uses.append(clean if len(clean) <= USE_CHARS else clean[: USE_CHARS - 1] + "…")
                if len(uses) == MAX_USES:
                    return tuple(uses)
    return tuple(uses)


def _slug(text: str, taken: set[str]) -> str:
    if not text.isascii():
        text = "-".join(lazy_pinyin(text))
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "term"
    result, number = base, 2
    while result in taken:
        result = f"{base}-{number}"
        number += 1
    taken.add(result)
    return result
