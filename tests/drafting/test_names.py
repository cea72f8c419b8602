"""The name finder: a surname character inside a noun for a person starts no name."""

from __future__ import annotations

import pytest

from bot.drafting._people import find_names


@pytest.mark.parametrize(
    "sentence",
    [
        "这位资深工程师坦言：“先把工程做好。”",  # 程 of 工程师: the tail 程师 before 坦言
        "一位算法工程师说：“先把工程做好。”",  # the same tail before 说
        "团队的程序员表示：“先把工程做好。”",  # 程 starts 程序员
        "系统管理员称：“先把工程做好。”",  # 管 starts 管理员
        "公司董事长表示：“先把工程做好。”",  # 董 starts 董事长, a title
        "一位史学家认为：“先把工程做好。”",  # 史 starts 史学家 (家: no agentive suffix rule)
        "基金管理人透露：“先把工程做好。”",  # 管 starts 管理人
        "一位康复师表示：“先把工程做好。”",  # 康复师 is not listed: ends in the suffix 师
        "一位陶艺师指出：“先把工程做好。”",  # 陶艺师 neither: ends in 师
        "两位管理者强调：“先把工程做好。”",  # 管理者: listed, and ends in 者
    ],
)
def test_a_noun_for_a_person_before_a_speech_verb_is_no_name(sentence: str) -> None:
    assert find_names([sentence]) == []


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("星河智能工程师周明远表示：“先把工程做好。”", "周明远"),
        ("工程师程远表示：“先把工程做好。”", "程远"),  # 程 again, now a surname after the noun
        ("资深分析师陈立认为：“先把工程做好。”", "陈立"),
        ("首席设计师林雪坦言：“先把工程做好。”", "林雪"),
        ("研究员杨帆指出：“先把工程做好。”", "杨帆"),
        ("项目负责人曾毅称：“先把工程做好。”", "曾毅"),
        ("董事长程思远说：“先把工程做好。”", "程思远"),
    ],
)
def test_a_name_right_after_a_noun_for_a_person_is_found(sentence: str, name: str) -> None:
    assert find_names([sentence]) == [name]
