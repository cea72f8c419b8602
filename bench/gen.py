"""Generate big, realistic content packs for the growth benchmarks.

A generated pack reuses the real pack's vocabulary so text behaves like real content: Chinese
clauses and character pairs cut from the real zh text, English sentences and words from the
real en text, and the real Latin acronyms (RLVR, MoE, ...). Terms and speakers are built from
those pieces and planted in quotes, so term scanning and search meet realistic hit rates.
Everything is seeded: the same size and seed give the same pack, byte for byte.

The pack is written as real YAML and is meant to be read by the real loader (`load_catalog`),
so validation, parsing and indexing are all measured.

    python -m bench.gen 100000 /tmp/pack-100k    # writes /tmp/pack-100k/gen-100000/*.yaml
"""

from __future__ import annotations

import argparse
import random
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pypinyin import lazy_pinyin

from bot.catalog._normalize import key

REPO = Path(__file__).resolve().parents[1]
REAL_PACK = REPO / "content" / "agi-next-2026"

TERMS = 10_000
SPEAKERS = 1_000
TOPICS = 60
SECTIONS = 12
SEED = 20260110
#: Bump when the generator changes what it writes, so cached packs are made afresh.
GENERATOR_VERSION = 1
#: How many character pairs make a Chinese term name, with weights: mostly four characters,
#: some six, a few two (a two-character term, like 范式, matches ordinary text often).
_PAIRS = ((1, 2, 3), (3, 77, 20))

_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_CLAUSE_SPLIT = re.compile(r"[,，。；;:：!！?？、()（）“”\"]+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
_EN_WORD = re.compile(r"\b[a-z]{4,12}\b")
_ACRONYM = re.compile(r"\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\b")

#: Common Chinese surnames, for speaker names (the real pack has only five speakers).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
_GIVEN = "杰植麟俊旸强顺雨明华伟芳敏静丽军磊洋勇艳涛超秀霞平刚桂英文辉建玲宇浩凯鹏飞云峰晨欣怡"


@dataclass(frozen=True)
class Vocabulary:
    """Pieces of real text from the real pack."""

    zh_clauses: tuple[str, ...]  # Chinese clauses (between punctuation), 4..40 characters
    zh_pairs: tuple[str, ...]  # consecutive pairs of Chinese characters
    en_sentences: tuple[str, ...]
    en_words: tuple[str, ...]
    acronyms: tuple[str, ...]
    common_words: frozenset[str]  # words the real en text writes in lower case


def _strings(node: Any, lang: str | None = None) -> Iterator[tuple[str | None, str]]:
    """Every string in a YAML tree with the language key it sits under (zh/en) if any."""
    if isinstance(node, dict):
        for k, value in node.items():
            yield from _strings(value, k if k in ("zh", "en") else lang)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, lang)
    elif isinstance(node, str):
        yield lang, node


def real_vocabulary(pack: Path = REAL_PACK) -> Vocabulary:
    zh: list[str] = []
    en: list[str] = []
    for file in sorted(pack.glob("*.yaml")):
        for lang, text in _strings(yaml.safe_load(file.read_text(encoding="utf-8"))):
            if lang == "zh" or (lang is None and _CJK.search(text)):
                zh.append(text)
            elif lang == "en":
                en.append(text)
    clauses = sorted(
        {c.strip() for t in zh for c in _CLAUSE_SPLIT.split(t) if 4 <= len(c.strip()) <= 40}
    )
    pairs = sorted(
        {run[i : i + 2] for t in zh for run in _CJK_RUN.findall(t) for i in range(len(run) - 1)}
    )
    sentences = sorted(
        {
            s.strip()
            for t in en
            for s in _SENTENCE_SPLIT.split(" ".join(t.split()))
            if 20 <= len(s) <= 220
        }
    )
    words = sorted({w for t in en for w in _EN_WORD.findall(t.lower())})
    acronyms = sorted({a for t in zh + en for a in _ACRONYM.findall(t) if 2 <= len(a) <= 8})
    # Words written in lower case somewhere ("us", "and"): an acronym spelled like one would
    # match ordinary text everywhere, since scanning ignores case.
    common = frozenset(w for t in en for w in re.findall(r"\b[a-z]+\b", t))
    acronyms = [a for a in acronyms if a.lower() not in common]
    return Vocabulary(
        tuple(clauses), tuple(pairs), tuple(sentences), tuple(words), tuple(acronyms), common
    )


class _Names:
    """Hands out surface forms no other entry uses (compared as the loader compares them)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def claim(self, text: str) -> bool:
        k = key(text)
        if not k or k in self.used:
            return False
        self.used.add(k)
        return True


def _title(words: list[str]) -> str:
    return " ".join(w.capitalize() if i == 0 else w for i, w in enumerate(words))


def _make_terms(rng: random.Random, vocab: Vocabulary, count: int) -> list[dict[str, Any]]:
    names = _Names()
    terms: list[dict[str, Any]] = []
    real_acronyms = list(vocab.acronyms)
    long_words = [word for word in vocab.en_words if len(word) >= 9]
    rng.shuffle(real_acronyms)
    for number in range(count):
        while True:  # a Chinese name: two or three real character pairs ("模型" + "推理")
            pairs = rng.choices(*_PAIRS)[0]
            zh = "".join(rng.choice(vocab.zh_pairs) for _ in range(pairs))
            if names.claim(zh):
                break
        while True:  # an English name: two or three real words, or one long one
            if rng.random() < 0.15:
                en = _title([rng.choice(long_words)])
            else:
                en = _title(rng.sample(vocab.en_words, rng.choice((2, 2, 3))))
            if names.claim(en):
                break
        aliases: list[str] = []
        # Acronyms: the real ones first, then the English name's initials (+ a digit if taken).
        if real_acronyms:
            candidate = real_acronyms.pop()
        else:
            initials = "".join(w[0] for w in en.split()).upper()
            candidate = initials if len(initials) >= 3 else en[:3].upper()
        for suffix in ("", *string.digits, *string.ascii_uppercase):
            if (candidate + suffix).lower() in vocab.common_words:
                continue  # "AND" would match every "and"
            if names.claim(candidate + suffix):
                aliases.append(candidate + suffix)
                break
        if rng.random() < 0.4:
            variant = zh + rng.choice(vocab.zh_pairs)
            if names.claim(variant):
                aliases.append(variant)
        terms.append(
            {
                "id": f"term-{number:05d}",
                "term": {"zh": zh, "en": en},
                "aliases": aliases,
                "definition": {
                    "zh": "，".join(rng.sample(vocab.zh_clauses, 3)) + "。",
                    "en": " ".join(rng.sample(vocab.en_sentences, 2)),
                },
                "mentioned_by": [],
                "related": [],
                "topics": [],
            }
        )
    return terms


def _make_speakers(rng: random.Random, vocab: Vocabulary, count: int) -> list[dict[str, Any]]:
    names = _Names()
    speakers: list[dict[str, Any]] = []
    for number in range(count):
        while True:
            given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
            zh = rng.choice(SURNAMES) + given
            syllables = lazy_pinyin(zh)
            en = f"{syllables[0].capitalize()} {''.join(syllables[1:]).capitalize()}"
            if key(zh) not in names.used and key(en) not in names.used:
                names.claim(zh)
                names.claim(en)
                break
        surname, first = en.split(" ", 1)
        speakers.append(
            {
                "id": f"speaker-{number:04d}",
                "name": {"zh": zh, "en": en},
                "aliases": [f"{first} {surname}"],
                "role": {
                    "zh": rng.choice(vocab.zh_clauses),
                    "en": rng.choice(vocab.en_sentences)[:200],
                },
                "attendance": rng.choice(("in-person", "in-person", "remote")),
                "summary": {
                    "zh": "，".join(rng.sample(vocab.zh_clauses, 4)) + "。",
                    "en": " ".join(rng.sample(vocab.en_sentences, 3)),
                },
                "points": [
                    {
                        "zh": rng.choice(vocab.zh_clauses) + "。",
                        "en": rng.choice(vocab.en_sentences),
                    }
                    for _ in range(rng.randint(1, 3))
                ],
            }
        )
    return speakers


def _zh_text(
    rng: random.Random, vocab: Vocabulary, terms: list[dict[str, Any]], clauses: int
) -> str:
    parts = list(rng.sample(vocab.zh_clauses, clauses))
    for _ in range(rng.randint(0, 3)):  # plant terms: a Chinese name or a Latin acronym
        term = rng.choice(terms)
        surface = (
            term["term"]["zh"] if rng.random() < 0.6 or not term["aliases"] else term["aliases"][0]
        )
        position = rng.randrange(len(parts))
        parts[position] = parts[position] + surface
    return "，".join(parts) + "。"


def _en_text(
    rng: random.Random, vocab: Vocabulary, terms: list[dict[str, Any]], sentences: int
) -> str:
    parts = list(rng.sample(vocab.en_sentences, sentences))
    for _ in range(rng.randint(0, 2)):
        term = rng.choice(terms)
        position = rng.randrange(len(parts))
        parts[position] = f"{parts[position]} That is where {term['term']['en']} comes in."
    return " ".join(parts)


def _make_quotes(
    rng: random.Random,
    vocab: Vocabulary,
    count: int,
    speakers: list[dict[str, Any]],
    terms: list[dict[str, Any]],
    topics: list[dict[str, Any]],
    sections: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    quotes: list[dict[str, Any]] = []
    for number in range(count):
        quotes.append(
            {
                "id": f"quote-{number:06d}",
                "speaker": rng.choice(speakers)["id"],
                "section": rng.choice(sections)["id"],
                "topics": sorted({rng.choice(topics)["id"] for _ in range(rng.randint(0, 2))}),
                "text": {
                    "zh": _zh_text(rng, vocab, terms, rng.randint(2, 5)),
                    "en": _en_text(rng, vocab, terms, rng.randint(1, 3)),
                },
                "context": {
                    "zh": _zh_text(rng, vocab, terms, rng.randint(1, 3)),
                    "en": _en_text(rng, vocab, terms, 1),
                },
            }
        )
    return quotes


def generate(
    size: int,
    out: Path,
    *,
    terms: int = TERMS,
    speakers: int = SPEAKERS,
    seed: int = SEED,
) -> Path:
    """Write a pack with `size` quotes under `out/gen-<size>/`; returns the content folder `out`.

    Skips the work when the pack is already there (same parameters, same bytes).
    """
    pack_dir = out / f"gen-{size}"
    marker = pack_dir / ".complete"
    stamp = f"v{GENERATOR_VERSION} {size} {terms} {speakers} {seed}"
    if marker.is_file() and marker.read_text() == stamp:
        return out
    rng = random.Random(seed)
    vocab = real_vocabulary()
    real_event = yaml.safe_load((REAL_PACK / "event.yaml").read_text(encoding="utf-8"))
    sections = [
        {
            "id": f"section-{n:02d}",
            "title": {
                "zh": rng.choice(vocab.zh_clauses),
                "en": rng.choice(vocab.en_sentences)[:90],
            },
            "summary": {"zh": rng.choice(vocab.zh_clauses), "en": rng.choice(vocab.en_sentences)},
        }
        for n in range(SECTIONS)
    ]
    event = {
        "id": f"gen-{size}",
        "name": {"zh": f"生成峰会 {size}", "en": f"Generated Summit {size}"},
        "date": real_event["date"],
        "host": real_event["host"],
        "summary": real_event["summary"],
        "source": real_event["source"],
        "sections": sections,
    }
    topic_names = _Names()
    topic_list: list[dict[str, Any]] = []
    while len(topic_list) < TOPICS:
        zh = "".join(rng.sample(vocab.zh_pairs, 2))
        en = _title(rng.sample(vocab.en_words, 2))
        if topic_names.claim(zh) and topic_names.claim(en):
            topic_list.append({"id": f"topic-{len(topic_list):02d}", "name": {"zh": zh, "en": en}})
    speaker_list = _make_speakers(rng, vocab, speakers)
    term_list = _make_terms(rng, vocab, terms)
    for term in term_list:  # a few references, as the real glossary has
        term["mentioned_by"] = sorted(
            {rng.choice(speaker_list)["id"] for _ in range(rng.randint(0, 2))}
        )
        term["related"] = sorted(
            {rng.choice(term_list)["id"] for _ in range(rng.randint(0, 3))} - {term["id"]}
        )
        term["topics"] = sorted({rng.choice(topic_list)["id"] for _ in range(rng.randint(0, 2))})
    quote_list = _make_quotes(rng, vocab, size, speaker_list, term_list, topic_list, sections)

    pack_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "event.yaml": event,
        "topics.yaml": {"topics": topic_list},
        "speakers.yaml": {"speakers": speaker_list},
        "glossary.yaml": {"terms": term_list},
        "quotes.yaml": {"quotes": quote_list},
    }
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for name, data in files.items():
        with (pack_dir / name).open("w", encoding="utf-8") as stream:
            yaml.dump(data, stream, Dumper=dumper, allow_unicode=True, sort_keys=False, width=4096)
    marker.write_text(stamp)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, help="number of quotes")
    parser.add_argument("out", type=Path, help="content folder to write the pack into")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    generate(args.size, args.out, seed=args.seed)
    print(args.out / f"gen-{args.size}")


if __name__ == "__main__":
    main()
