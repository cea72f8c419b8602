"""People in a Chinese article: names found from their contexts, and the roles given them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pypinyin import lazy_pinyin

# Common surnames (single characters). Ambiguous ones that are mostly ordinary words in news
# prose (时, 于, 向, 成, 常, 单, 强, 位, 解, 查, 高, 安, 文, 方, 关, 包, 和) are left out.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵周吴徐孙马朱胡郭何罗郑梁谢宋唐韩冯董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾"
    "丁魏薛叶阎余潘杜戴夏钟汪田任姜范石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷"
    "钱汤尹黎易武乔贺赖龚庞樊兰殷施陶洪翟颜倪严牛温季俞章鲁葛伍韦申尤毕聂焦柳邢骆岳齐梅莫"
    "庄辛管祝左涂谷祁舒耿詹苗凌费纪靳盛童欧甄项曲游阳裴席卫屈鲍覃霍翁隋甘景柏宁柯阮桂林"
)
# Words that end a role given in apposition before a name (清华大学教授唐杰).
TITLES = (
    "首席科学家",
    "科学家",
    "创始人",
    "联合创始人",
    "负责人",
    "教授",
    "院士",
    "学者",
    "研究员",
    "CEO",
    "CTO",
    "COO",
    "首席执行官",
    "首席技术官",
    "首席运营官",
    "首席财务官",
    "首席产品官",
    "总裁",
    "董事长",
    "总经理",
    "总监",
    "主任",
    "院长",
    "所长",
    "主席",
    "合伙人",
    "工程师",
    "专家",
    "博士",
)
# Nouns for people by what they do, besides the titles above. A surname character inside one
# (工程师 → 程师, 程序员, 管理员, 史学家) starts no name: the span is (the tail of) the noun.
PERSON_NOUNS = (
    *TITLES,
    "程序员",
    "分析师",
    "设计师",
    "架构师",
    "会计师",
    "律师",
    "讲师",
    "医师",
    "分析员",
    "管理员",
    "技术员",
    "观察员",
    "发言人",
    "主持人",
    "投资人",
    "管理人",
    "管理者",
    "开发者",
    "研究者",
    "从业者",
    "史学家",
    "金融家",
    "企业家",
    "董事",
    "秘书长",
    "理事长",
    "记者",
)
# Agentive suffixes that end nouns for people (康复师, 工程师, 研究员, 开发者) and hardly ever
# a person's name: a span before a speech verb that ends in one is such a noun, not a name.
AGENT_SUFFIXES = frozenset("师员者")
# Speech verbs that follow a name (唐杰表示): a surname and one or two characters before one
# of them, after a title or inside 在…看来 is taken for a person's name.
SPEECH = (
    "表示",
    "认为",
    "坦言",
    "指出",
    "强调",
    "提到",
    "提及",
    "说道",
    "说",
    "称",
    "谈到",
    "透露",
    "解释",
    "总结",
    "补充",
    "直言",
    "举例",
    "阐释",
    "分享",
    "给出",
    "抛出",
    "回应",
    "看来",
    "如是说",
    "这样说",
    "这样总结",
    "这样解构",
)
# A third character that starts the next word, not a name (杨强将其…, 唐杰这样说道).
_NOT_NAME_END = frozenset(
    "表认坦指强提说称谈透解总补直举阐分给抛回看如这进同也的在将和与是对以等则就都还又曾被把从向为"
)
_HAN = r"[\u4e00-\u9fff]"
_CANDIDATE = re.compile(rf"(?=([{''.join(sorted(SURNAMES))}]{_HAN}{{1,2}}))")
_ROLE_STOP = re.compile(r"[，,。；;：:“”\"「」（）()\s!！?？]")
_ROLE_FILLER = re.compile(r"邀请了|邀请|以及|还有|包括|其中|的|在|和|与|及|由|是|了")


def _candidates(text: str) -> Iterable[tuple[int, str]]:
    for match in _CANDIDATE.finditer(text):
        yield match.start(), match.group(1)


def find_names(texts: list[str]) -> list[str]:
    """Person names: a surname and one or two characters, seen after a title or before a cue."""
    joined = "\n".join(texts)
    seen: set[str] = set()
    for position, candidate in _candidates(joined):
        if _inside_person_noun(joined, position):
            continue
        before = joined[max(0, position - 6) : position]
        after = joined[position + 2 : position + 6]
        after3 = joined[position + 3 : position + 7]
        titled = any(before.endswith(title) for title in TITLES)
        # What a speech verb closes: the first two characters, or all three (唐杰表示, 周明远认为).
        spoken = [
            span
            for span, rest in ((candidate[:2], after), (candidate, after3))
            if any(rest.startswith(cue) for cue in SPEECH)
        ]
        seen_in = joined[max(0, position - 1) : position] == "在" and "看来" in after3 + after
        if not (titled or spoken or seen_in):
            continue
        if not titled and any(_ends_as_noun(span) for span in spoken):
            continue  # 工程师坦言 → 程师, 康复师表示 → 康复师: a noun for a person, not a name
        name = _resolve_length(joined, candidate)
        if not _ends_as_noun(name):
            seen.add(name)
    return sorted(seen, key=lambda name: joined.find(name))


def _inside_person_noun(text: str, position: int) -> bool:
    """The character at `position` belongs to a noun for a person written there (工程师, 董事长)."""
    for noun in PERSON_NOUNS:
        for offset in range(len(noun)):
            start = position - offset
            if start >= 0 and text.startswith(noun, start):
                return True
    return False


def _ends_as_noun(span: str) -> bool:
    """The span ends in an agentive suffix, as nouns for people do and names hardly ever."""
    return span[-1] in AGENT_SUFFIXES


def _resolve_length(text: str, candidate: str) -> str:
    """Two or three characters: three only when the third always follows the first two."""
    short = candidate[:2]
    third_is_name = len(candidate) == 3 and candidate[2] not in _NOT_NAME_END
    if third_is_name and text.count(candidate) == text.count(short):
        return candidate
    return short


def roles(texts: list[str], name: str, names: list[str]) -> list[str]:
    """The roles the article gives `name` in apposition, in order of first appearance."""
    found: list[str] = []
    for text in texts:
        start = 0
        while (position := text.find(name, start)) >= 0:
            start = position + len(name)
            role = _role_before(text, position, names)
            if role:
                found.extend(part for part in role.split("、") if part)
    return _merge(found)


def _role_before(text: str, position: int, names: list[str]) -> str:
    segment_start = 0
    for match in _ROLE_STOP.finditer(text, 0, position):
        segment_start = match.end()
    segment = text[segment_start:position]
    for other in names:  # 清华大学教授唐杰、Kimi创始人杨植麟: stop at the previous person
        cut = segment.rfind(other)
        if cut >= 0:
            segment = segment[cut + len(other) :]
    parts = segment.strip("、").split("、")
    parts[0] = _strip_filler(parts[0])
    return "、".join(part for part in parts if _ends_with_title(part))


def _strip_filler(part: str) -> str:
    """活动还邀请了Kimi创始人 → Kimi创始人; 此前被腾讯高调官宣的CEO首席科学家 → CEO首席科学家."""
    last = None
    for match in _ROLE_FILLER.finditer(part):
        last = match
    return part[last.end() :] if last is not None else part


def _ends_with_title(text: str) -> bool:
    return any(text.endswith(title) for title in TITLES)


def _merge(parts: list[str]) -> list[str]:
    """Distinct role parts; a part contained in a longer one (CEO in 月之暗面CEO) is dropped."""
    distinct = list(dict.fromkeys(parts))
    return [
        part for part in distinct if not any(part != other and part in other for other in distinct)
    ]


def english_name(name: str) -> str:
    """Pinyin with the surname first: 杨植麟 → Yang Zhilin."""
    syllables = lazy_pinyin(name)
    if not syllables:
        return name
    given = "".join(syllables[1:])
    return " ".join(part.capitalize() for part in (syllables[0], given) if part)


def slug(name: str) -> str:
    """A speaker id from the name: 唐杰 → tangjie; Jane Doe → jane-doe."""
    text = "".join(lazy_pinyin(name)) if re.search(_HAN, name) else "-".join(name.split())
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return cleaned[:64].strip("-") or "speaker"
