"""Unit tests of the conversation rule kinds (S, T, F, P002).

Sessions are built by hand and the text pipeline is replaced by a tiny fake
(substring phrase hits, a regex for emoticons), so these tests pin the rules'
own logic: timing, ordering, duplicates, run-level state.
"""

from __future__ import annotations

import pickle
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cslint.model import Message, Role, Session, Severity, Transfer, Violation
from cslint.rules.base import KINDS, Anchor, PhraseHit, Rule, RuleSpec, SessionContext, ShopFacts
from cslint.rules.flow import Closing, LastWord, ReturningBuyer, ReturnObservation, is_bot
from cslint.rules.leak import LeakObservation, PiiLeak
from cslint.rules.ratio import EmoticonRatio, ParticleRatio
from cslint.rules.timing import AgentAway, FirstResponse, FollowUp, Greeting, timeline

SHOP = "美动态旗舰店"
DAY = datetime(2025, 3, 3)
CLOSINGS = ("感谢", "谢谢您", "祝您", "欢迎下次光临", "再见", "期待再次为您服务", "有问题随时联系")
GREETINGS = ("您好", "你好", "亲", "欢迎", "很高兴为您服务", "在的")
PARTICLES = ("亲", "呵呵", "哈", "哦", "呢", "呀", "哟")
RETURN = ("上次", "再次", "又来", "欢迎回来", "老客户", "老顾客")


# --------------------------------------------------------------------------- fakes
@dataclass
class FakeAnalysis:
    text: str

    @property
    def has_emoticon(self) -> bool:
        return bool(
            re.search(r"/:\S|\[[\u4e00-\u9fff]{1,4}\]|[\U0001F300-\U0001FAFF]|\^_\^", self.text)
        )


def make_rule(cls: type[Rule], code: str, **params: Any) -> Rule:
    lists: dict[str, tuple[str, ...]] = {}
    if cls in (Greeting,):
        lists["phrases"] = GREETINGS
    elif cls in (Closing,):
        lists["phrases"] = CLOSINGS
    elif cls is FollowUp:
        lists["closings"] = CLOSINGS
    elif cls is ParticleRatio:
        lists["phrases"] = PARTICLES
    elif cls is ReturningBuyer:
        lists["phrases"] = RETURN
    spec = RuleSpec(
        code=code,
        name=cls.kind,
        kind=cls.kind,
        severity=Severity.WARNING,
        points=1,
        max_deductions=1,
        message=MESSAGES.get(code, code),
        description="",
        source="",
        suggestion=None,
        lists=lists,
        replacements={},
        params=params,
    )
    return cls(spec)


MESSAGES = {
    "S001": "{ratio} < {min_ratio} ({count}/{total})",
    "S002": "{ratio} < {min_ratio} ({count}/{total})",
    "T001": "{seconds}>{limit}|{detail}",
    "T002": "{limit}|{seconds}",
    "T003": "{seconds}>{limit}",
    "T004": "{seconds}>{limit}|{minutes}",
    "F003": "{buyer}|{first_visit}",
    "P002": "{kind}|{value}|{kind_code}|{owner}|{first_seen}",
}


def fake_hits(rules: Sequence[Rule]) -> Any:
    def find(analysis: FakeAnalysis) -> Mapping[str, tuple[PhraseHit, ...]]:
        out: dict[str, tuple[PhraseHit, ...]] = {}
        for rule in rules:
            hits = []
            for list_name, phrase in rule.phrases():
                for m in re.finditer(re.escape(phrase), analysis.text):
                    hits.append(PhraseHit(0, m.start(), m.end(), list_name, phrase))
            out[rule.code] = tuple(hits)
        return out

    return find


def t(clock: str) -> datetime:
    h, m, s = (int(x) for x in clock.split(":"))
    return DAY + timedelta(hours=h, minutes=m, seconds=s)


Row = tuple[str, str, str]  # (clock, who, text); who: b buyer, a agent, bot, sys, xfer


def session(
    rows: Iterable[Row], buyer: str = "tb_buyer01", shop: str | None = SHOP, sid: str = "s1"
) -> Session:
    msgs = []
    for n, (clock, who, text) in enumerate(rows, start=1):
        transfer = None
        if who == "b":
            role, sender = Role.BUYER, buyer
        elif who == "a":
            role, sender = Role.AGENT, f"{SHOP}:小花"
        elif who == "a2":
            role, sender = Role.AGENT, f"{SHOP}:小美"
        elif who == "bot":
            role, sender = Role.AGENT, f"{SHOP}:服务助手"
        elif who == "xfer":
            role, sender = Role.SYSTEM, ""
            transfer = Transfer(f"{SHOP}:小花", f"{SHOP}:小美")
        else:
            role, sender = Role.SYSTEM, ""
        msgs.append(
            Message(t(clock), buyer, sender, text, role, "chat.txt", n, None, shop, transfer)
        )
    msgs.sort(key=lambda m: m.time)  # what sessionize does; tests of disorder bypass it
    return Session(sid, buyer, shop, tuple(msgs))


def ctx_for(rule: Rule, s: Session) -> SessionContext:
    return SessionContext(s, ShopFacts(names=(SHOP,)), FakeAnalysis, fake_hits([rule]))  # type: ignore[arg-type]


def run(rule: Rule, *sessions: Session) -> list[Violation]:
    found: list[Violation] = []
    observations = []
    for s in sessions:
        c = ctx_for(rule, s)
        found.extend(rule.check(c))
        observations.append(rule.observe(c))
    found.extend(rule.finish(observations))
    return found


def codes(rule: Rule, *sessions: Session) -> list[str]:
    return [v.code for v in run(rule, *sessions)]


# --------------------------------------------------------------------------- registry
def test_kinds_are_registered_with_lists_and_params() -> None:
    expected = {
        "emoticon-ratio": (EmoticonRatio, {"min_messages", "min_ratio"}),
        "particle-ratio": (ParticleRatio, {"min_messages", "min_ratio", "raw_markers"}),
        "first-response": (FirstResponse, {"first_response_s"}),
        "greeting": (Greeting, {"greeting_s"}),
        "follow-up": (FollowUp, {"follow_up_s"}),
        "agent-away": (AgentAway, {"away_s"}),
        "last-word": (LastWord, set()),
        "closing": (Closing, set()),
        "returning-buyer": (ReturningBuyer, set()),
        "pii-leak": (PiiLeak, {"kinds"}),
    }
    for kind, (cls, params) in expected.items():
        assert KINDS.kinds[kind] is cls
        assert set(cls.params) == params
        assert cls.description
        for spec in cls.params.values():
            assert isinstance(spec.default, spec.type)
    assert FollowUp.lists == ("closings",)
    assert (
        Greeting.lists
        == Closing.lists
        == ParticleRatio.lists
        == ReturningBuyer.lists
        == ("phrases",)
    )


# --------------------------------------------------------------------------- helpers
def test_timeline_sorts_drops_duplicates_and_system() -> None:
    s = session(
        [
            ("10:00:05", "a", "您好"),
            ("10:00:05", "b", "在吗"),
            ("10:00:01", "sys", "当前用户来自 手机淘宝"),
        ]
    )
    s = replace(s, messages=(*s.messages, s.messages[-1]))  # a duplicated row
    line = timeline(s.messages)
    assert [s.messages[i].role for i in line] == [Role.BUYER, Role.AGENT]


def _canonical_order(messages: Sequence[Message]) -> list[int]:
    """The timeline as documented: the first copy of each distinct non-system
    row, sorted by (time, buyer before agent, sender, text)."""
    first: dict[tuple[datetime, Role, str, str], int] = {}
    for i, m in enumerate(messages):
        if m.role is not Role.SYSTEM:
            first.setdefault((m.time, m.role, m.sender, m.text), i)
    rank = {Role.BUYER: 0, Role.AGENT: 1}
    return [
        i for key, i in sorted(first.items(), key=lambda kv: (kv[0][0], rank[kv[0][1]], *kv[0][2:]))
    ]


_ROWS = st.lists(
    st.tuples(
        st.integers(0, 6).map(lambda n: f"10:00:{n * 5:02d}"),  # a coarse grid: ties happen
        st.sampled_from(["b", "a", "a2", "bot", "sys", "xfer"]),
        st.sampled_from(["在吗", "您好", "好的"]),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(_ROWS, st.booleans(), st.randoms(use_true_random=False))
def test_timeline_is_the_canonical_order(rows: list[Row], in_time_order: bool, rnd: Any) -> None:
    msgs = list(session(rows).messages)  # time order, as sessionize leaves it
    if not in_time_order:
        rnd.shuffle(msgs)
    line = timeline(msgs)
    assert line == _canonical_order(msgs)
    assert line.times == [msgs[i].time for i in line]
    assert line.roles == "".join("a" if msgs[i].role is Role.AGENT else "b" for i in line)
    assert line.agents == [i for i in line if msgs[i].role is Role.AGENT]


# --------------------------------------------------------------------------- S001 / S002
def test_s001_low_emoticon_ratio() -> None:
    rule = make_rule(EmoticonRatio, "S001")
    s = session(
        [
            ("10:00:00", "b", "在吗"),
            ("10:00:03", "a", "您好/:^_^"),
            ("10:00:10", "a", "有货的"),
            ("10:00:20", "a", "今天发"),
            ("10:00:30", "a", "好的"),
        ]
    )
    [v] = run(rule, s)
    assert v.message == "25% < 30% (1/4)"
    assert v.span is None and v.agent == f"{SHOP}:小花"


def test_s001_exactly_thirty_percent_passes() -> None:
    rule = make_rule(EmoticonRatio, "S001")
    rows = [(f"10:00:{i:02d}", "a", "好的/:^_^" if i < 3 else "好的亲") for i in range(10)]
    assert codes(rule, session(rows)) == []


def test_s001_too_few_agent_messages_and_override() -> None:
    rows = [("10:00:00", "b", "在吗"), ("10:00:02", "a", "在的"), ("10:00:05", "a", "有货")]
    assert codes(make_rule(EmoticonRatio, "S001"), session(rows)) == []
    assert codes(make_rule(EmoticonRatio, "S001", min_messages=2), session(rows)) == ["S001"]
    assert (
        codes(
            make_rule(EmoticonRatio, "S001", min_messages=0), session([("10:00:00", "b", "在吗")])
        )
        == []
    )


def test_s001_duplicates_count_once() -> None:
    # 1 of 3 distinct messages has an emoticon (33 %); duplicated plain rows must not lower it
    s = session(
        [("10:00:00", "a", "您好/:^_^"), ("10:00:05", "a", "有货"), ("10:00:09", "a", "今天发")]
    )
    dup = replace(s, messages=(*s.messages, s.messages[1], s.messages[2]))
    assert codes(make_rule(EmoticonRatio, "S001"), dup) == []


def test_s002_particles_markers_and_emoticons() -> None:
    rule = make_rule(ParticleRatio, "S002")
    plain = [
        ("10:00:00", "a", "有货"),
        ("10:00:05", "a", "今天发货"),
        ("10:00:09", "a", "好的"),
        ("10:00:12", "a", "可以"),
    ]
    assert codes(rule, session(plain)) == ["S002"]
    for marked in ("有货哦", "有货~", "有货～", "有货/:087"):
        rows = [*plain[2:], ("10:00:00", "a", marked)]  # 1 of 3
        assert codes(rule, session(rows)) == [], marked


def test_s002_auto_replies_count() -> None:
    rule = make_rule(ParticleRatio, "S002")
    rows = [
        ("10:00:00", "bot", "亲，欢迎光临"),
        ("10:00:05", "a", "有货"),
        ("10:00:09", "a", "今天发"),
    ]
    assert codes(rule, session(rows)) == []


# --------------------------------------------------------------------------- T001
def test_t001_boundary_and_message() -> None:
    rule = make_rule(FirstResponse, "T001")
    assert codes(rule, session([("10:00:00", "b", "在吗"), ("10:00:06", "a", "在的亲")])) == []
    [v] = run(rule, session([("10:00:00", "b", "在吗"), ("10:00:07", "a", "在的亲")]))
    assert v.message == "7>6|首次响应用时 7 秒"
    assert v.text == "在吗" and v.line == 1


def test_t001_never_answered() -> None:
    [v] = run(
        make_rule(FirstResponse, "T001"),
        session([("10:00:00", "b", "在吗"), ("10:03:00", "b", "人呢")]),
    )
    assert v.message == "未应答>6|买家始终未得到回复"
    assert v.agent is None


def test_t001_not_for_agent_opened_or_system_only() -> None:
    rule = make_rule(FirstResponse, "T001")
    assert (
        codes(rule, session([("10:00:00", "a", "亲，您的快递到了"), ("10:05:00", "b", "好的")]))
        == []
    )
    assert (
        codes(
            rule, session([("10:00:00", "sys", "当前用户来自 手机淘宝"), ("10:00:01", "xfer", "")])
        )
        == []
    )
    assert codes(rule, session([])) == []


def test_t001_auto_reply_counts_and_param() -> None:
    rows = [
        ("10:00:00", "b", "在吗"),
        ("10:00:01", "bot", "您好，欢迎光临"),
        ("10:00:40", "a", "在的"),
    ]
    assert codes(make_rule(FirstResponse, "T001"), session(rows)) == []
    rows = [("10:00:00", "b", "在吗"), ("10:00:09", "a", "在的")]
    assert codes(make_rule(FirstResponse, "T001", first_response_s=10), session(rows)) == []


def test_t001_same_second_and_file_order() -> None:
    rule = make_rule(FirstResponse, "T001")
    s = session([("10:00:00", "a", "您好"), ("10:00:00", "b", "在吗")])
    reversed_s = replace(s, messages=s.messages[::-1])
    assert codes(rule, s) == codes(rule, reversed_s) == []


# --------------------------------------------------------------------------- T002
def test_t002() -> None:
    rule = make_rule(Greeting, "T002")
    assert codes(rule, session([("10:00:00", "b", "在吗"), ("10:00:10", "a", "您好")])) == []
    assert codes(rule, session([("10:00:00", "b", "在吗"), ("10:00:02", "bot", "欢迎光临")])) == []
    assert codes(rule, session([("10:00:00", "b", "在吗"), ("10:00:11", "a", "您好")])) == ["T002"]
    [v] = run(rule, session([("10:00:00", "b", "在吗"), ("10:00:03", "a", "有货")]))
    assert v.message == "10|3"
    [v] = run(rule, session([("10:00:00", "b", "在吗")]))
    assert v.message == "10|未应答"
    assert codes(rule, session([("10:00:00", "a", "有货了"), ("10:00:30", "b", "好")])) == []


# --------------------------------------------------------------------------- T003
def test_t003_silence_after_non_closing() -> None:
    rule = make_rule(FollowUp, "T003")
    rows = [("10:00:00", "b", "在吗"), ("10:00:03", "a", "您好亲"), ("10:01:04", "b", "这款有货吗")]
    [v] = run(rule, session(rows))
    assert v.text == "您好亲" and v.message == "61>60"
    rows[-1] = ("10:01:03", "b", "这款有货吗")
    assert codes(rule, session(rows)) == []


def test_t003_closing_follow_up_and_end() -> None:
    rule = make_rule(FollowUp, "T003")
    closing = [("10:00:00", "a", "感谢光临"), ("10:05:00", "b", "还有个问题")]
    assert codes(rule, session(closing)) == []
    followed = [
        ("10:00:00", "a", "您看下这款"),
        ("10:00:50", "a", "亲，还在吗"),
        ("10:01:30", "b", "在"),
    ]
    assert codes(rule, session(followed)) == []
    ended = [("10:00:00", "b", "在吗"), ("10:00:03", "a", "在的")]
    assert codes(rule, session(ended)) == []
    tie = [("10:00:00", "a", "好的"), ("10:00:00", "a", "感谢您"), ("10:03:00", "b", "嗯")]
    s = session(tie)
    assert codes(rule, s) == codes(rule, replace(s, messages=s.messages[::-1])) == []
    tie = [("10:00:00", "a", "再见"), ("10:00:00", "a", "好的"), ("10:03:00", "b", "嗯")]  # 再 < 好
    s = session(tie)
    assert codes(rule, s) == codes(rule, replace(s, messages=s.messages[::-1])) == []


# --------------------------------------------------------------------------- T004
def test_t004_wait_and_transfer() -> None:
    rule = make_rule(AgentAway, "T004")
    rows = [
        ("10:00:00", "b", "在吗"),
        ("10:00:02", "a", "在的"),
        ("10:01:00", "b", "能便宜吗"),
        ("10:01:30", "b", "?"),
        ("10:06:01", "a", "抱歉久等"),
    ]
    [v] = run(rule, session(rows))
    assert v.text == "能便宜吗" and v.message == "301>300|5"
    assert v.agent == f"{SHOP}:小花"
    with_transfer = [*rows, ("10:03:00", "xfer", "")]
    assert codes(rule, session(with_transfer)) == []
    rows[-1] = ("10:06:00", "a", "抱歉久等")
    assert codes(rule, session(rows)) == []


def test_t004_unanswered_buyer() -> None:
    rule = make_rule(AgentAway, "T004")
    assert codes(rule, session([("10:00:00", "b", "在吗")])) == []
    assert codes(rule, session([("10:00:00", "b", "在吗"), ("10:06:00", "b", "人呢")])) == ["T004"]
    assert (
        codes(
            rule,
            session(
                [("10:00:00", "b", "在吗"), ("10:03:00", "xfer", ""), ("10:06:00", "b", "人呢")]
            ),
        )
        == []
    )


def test_t004_transfer_outside_the_wait_does_not_excuse() -> None:
    rule = make_rule(AgentAway, "T004")
    rows = [("09:59:00", "xfer", ""), ("10:00:00", "b", "在吗"), ("10:06:00", "a", "在")]
    assert codes(rule, session(rows)) == ["T004"]


# --------------------------------------------------------------------------- F001 / F002
def test_f001() -> None:
    rule = make_rule(LastWord, "F001")
    [v] = run(
        rule,
        session(
            [
                ("10:00:00", "b", "在吗"),
                ("10:00:03", "a", "在的"),
                ("10:01:00", "b", "好的谢谢"),
                ("10:02:00", "sys", "买家已离开"),
            ]
        ),
    )
    assert v.text == "好的谢谢"
    assert codes(rule, session([("10:00:00", "b", "在吗"), ("10:00:03", "a", "感谢光临")])) == []
    assert codes(rule, session([("10:00:00", "b", "谢谢"), ("10:00:00", "a", "再见")])) == []
    assert codes(rule, session([("10:00:00", "sys", "当前用户来自 手机淘宝")])) == []


def test_f002() -> None:
    rule = make_rule(Closing, "F002")
    [v] = run(
        rule,
        session([("10:00:00", "b", "在吗"), ("10:00:03", "a", "在的"), ("10:01:00", "a", "好的")]),
    )
    assert v.text == "好的"
    assert (
        codes(rule, session([("10:00:00", "b", "在吗"), ("10:00:03", "a", "感谢您的光临，再见")]))
        == []
    )
    assert codes(rule, session([("10:00:00", "b", "在吗")])) == []  # no answer: T001/F001
    assert codes(rule, session([("10:00:00", "a", "上新了")])) == []  # one-way notice
    tie = session(
        [("10:00:00", "b", "好"), ("10:00:09", "a", "祝您生活愉快"), ("10:00:09", "a", "/:^_^")]
    )
    assert codes(rule, tie) == codes(rule, replace(tie, messages=tie.messages[::-1])) == []
    # the closing sorts before the other message of its second (再 < 好)
    tie = session([("10:00:00", "b", "好"), ("10:00:09", "a", "再见"), ("10:00:09", "a", "好的")])
    assert codes(rule, tie) == codes(rule, replace(tie, messages=tie.messages[::-1])) == []


# --------------------------------------------------------------------------- F003
def _visit(
    clock: str, first_agent: str, buyer: str = "tb_buyer01", sid: str = "", shop: str | None = SHOP
) -> Session:
    return session(
        [(clock, "b", "在吗"), (clock[:-2] + "05", "a", first_agent)],
        buyer=buyer,
        sid=sid or clock,
        shop=shop,
    )


def test_f003_returning_buyer_in_any_order() -> None:
    rule = make_rule(ReturningBuyer, "F003")
    first, again = _visit("09:00:00", "您好"), _visit("15:00:00", "您好")
    for order in ((first, again), (again, first)):
        [v] = run(rule, *order)
        assert v.session == "15:00:00"
        assert v.message == "tb_buyer01|2025-03-03 09:00:00"
        assert v.text == "您好"


def test_f003_recognised() -> None:
    rule = make_rule(ReturningBuyer, "F003")
    first = _visit("09:00:00", "您好")
    assert codes(rule, first, _visit("15:00:00", "TB_Buyer01亲，您好")) == []
    assert codes(rule, first, _visit("15:00:00", "亲，欢迎回来")) == []
    assert codes(rule, first, _visit("15:00:00", "上次的宝贝还满意吗")) == []


def test_f003_auto_reply_then_human() -> None:
    rule = make_rule(ReturningBuyer, "F003")
    first = _visit("09:00:00", "您好")
    again = session(
        [
            ("15:00:00", "b", "在吗"),
            ("15:00:01", "bot", "您好，欢迎光临"),
            ("15:00:30", "a", "老顾客啦，这次看点什么"),
        ],
        sid="2",
    )
    assert codes(rule, first, again) == []
    again = session(
        [
            ("15:00:00", "b", "在吗"),
            ("15:00:01", "bot", "您好，欢迎光临"),
            ("15:00:30", "a", "在的"),
        ],
        sid="2",
    )
    [v] = run(rule, first, again)
    assert v.text == "在的"
    never = session([("15:00:00", "b", "在吗")], sid="3")
    [v] = run(rule, first, never)
    assert v.text == "在吗" and v.agent is None


def test_f003_remembers_is_bot_per_sender_and_shop() -> None:
    """F003 remembers is_bot's answer by sender, for the shop facts it was asked
    with: the answers agree with is_bot's when senders and shops change."""
    rule = make_rule(ReturningBuyer, "F003")
    assert isinstance(rule, ReturningBuyer)
    default, renamed = ShopFacts(names=(SHOP,)), ShopFacts(names=(SHOP,), bot_names=("小花",))
    senders = [f"{SHOP}:服务助手", f"{SHOP}:小花", "小花", f"{SHOP}: 服务助手 ", "服务助手"]
    messages = [
        replace(session([("09:00:00", "a", "在的")]).messages[0], sender=s) for s in senders
    ]
    for shop in (default, renamed, default):
        for m in messages * 2:  # asked, then remembered
            assert rule._is_bot(m, shop) == is_bot(m, shop)


def test_f003_not_returning() -> None:
    rule = make_rule(ReturningBuyer, "F003")
    assert codes(rule, _visit("09:00:00", "您好"), _visit("09:00:00", "您好", sid="dup")) == []
    assert codes(rule, _visit("09:00:00", "您好"), _visit("15:00:00", "您好", buyer="other")) == []
    assert codes(rule, _visit("09:00:00", "您好"), _visit("15:00:00", "您好", shop="别的店")) == []
    system_only = session([("08:00:00", "sys", "当前用户来自 手机淘宝")], sid="sys")
    assert codes(rule, system_only, _visit("15:00:00", "您好")) == []


def test_f003_unknown_shop_matches_any_shop() -> None:
    rule = make_rule(ReturningBuyer, "F003")
    unknown = _visit("15:00:00", "您好", shop=None)
    assert codes(rule, _visit("09:00:00", "您好"), unknown) == ["F003"]
    assert codes(rule, _visit("09:00:00", "您好", shop=None), _visit("15:00:00", "您好")) == [
        "F003"
    ]


def test_f003_observations_keep_an_anchor_not_a_violation() -> None:
    rule = make_rule(ReturningBuyer, "F003")
    obs = rule.observe(ctx_for(rule, _visit("15:00:00", "您好")))
    assert isinstance(obs, ReturnObservation) and isinstance(obs.candidate, Anchor)
    assert obs.candidate.text == "您好" and obs.candidate.agent == f"{SHOP}:小花"
    assert b"Violation" not in pickle.dumps(obs)
    recognised = rule.observe(ctx_for(rule, _visit("15:00:00", "亲，欢迎回来")))
    assert isinstance(recognised, ReturnObservation) and recognised.candidate is None


# --------------------------------------------------------------------------- P002
def _chat(buyer: str, rows: list[Row], sid: str) -> Session:
    return session(rows, buyer=buyer, sid=sid)


def test_p002_phone_leaks_to_another_buyer() -> None:
    rule = make_rule(PiiLeak, "P002")
    a = _chat(
        "buyer_a", [("09:00:00", "b", "电话改成 138-1234-5678"), ("09:00:05", "a", "好的亲")], "a"
    )
    b = _chat(
        "buyer_b",
        [("10:00:00", "b", "我的电话是多少"), ("10:00:05", "a", "亲，是13812345678吗")],
        "b",
    )
    for order in ((a, b), (b, a)):
        [v] = run(rule, *order)
        assert v.buyer == "buyer_b" and v.session == "b"
        assert v.span == (3, 14) and v.text[3:14] == "13812345678"
        assert v.message == "手机号|138****5678|phone|buyer_a|2025-03-03 09:00:00"
        assert "1234" not in v.message


def test_p002_same_buyer_and_own_data() -> None:
    rule = make_rule(PiiLeak, "P002")
    a1 = _chat("buyer_a", [("09:00:00", "b", "电话13812345678"), ("09:00:05", "a", "好的亲")], "a1")
    a2 = _chat(
        "buyer_a", [("15:00:00", "b", "在吗"), ("15:00:05", "a", "还是寄13812345678吗")], "a2"
    )
    assert codes(rule, a1, a2) == []
    # a shared household phone: B typed it too before the agent repeated it
    b = _chat(
        "buyer_b",
        [("10:00:00", "b", "电话13812345678"), ("10:00:05", "a", "好的，13812345678")],
        "b",
    )
    assert codes(rule, a1, b) == []
    # ... but B typing it only after the agent said it does not excuse the agent
    b = _chat(
        "buyer_b", [("10:00:00", "a", "是13812345678吗"), ("10:00:05", "b", "13812345678")], "b"
    )
    assert codes(rule, a1, b) == ["P002"]


def test_p002_agent_sent_value_belongs_to_that_session_buyer() -> None:
    rule = make_rule(PiiLeak, "P002")
    order = "2025030312345678901"
    a = _chat(
        "buyer_a", [("09:00:00", "b", "查下物流"), ("09:00:05", "a", f"您的订单{order}已发货")], "a"
    )
    b = _chat(
        "buyer_b", [("10:00:00", "b", "查下物流"), ("10:00:05", "a", f"订单{order}已发货")], "b"
    )
    [v] = run(rule, a, b)
    assert v.buyer == "buyer_b" and "订单号" in v.message and order not in v.message


def test_p002_items_links_and_digit_boundaries() -> None:
    rule = make_rule(PiiLeak, "P002")
    item = "https://item.taobao.com/item.htm?id=652137788123456789"
    a = _chat(
        "buyer_a",
        [
            ("09:00:00", "b", f"这个 {item} 有货吗 商品id 652137788123"),
            ("09:00:05", "a", f"有的亲 {item}"),
        ],
        "a",
    )
    b = _chat(
        "buyer_b",
        [("10:00:00", "b", "在吗"), ("10:00:05", "a", f"推荐您看这款 {item} 宝贝id 652137788123")],
        "b",
    )
    assert codes(rule, a, b) == []
    # a phone inside a longer digit run is not a phone
    a = _chat("buyer_a", [("09:00:00", "b", "13812345678"), ("09:00:05", "a", "好")], "a")
    b = _chat("buyer_b", [("10:00:00", "b", "在吗"), ("10:00:05", "a", "编号 9913812345678")], "b")
    assert codes(rule, a, b) == []


def test_p002_kinds_param_and_address() -> None:
    addr = "浙江省杭州市西湖区文三路90号"
    a = _chat("buyer_a", [("09:00:00", "b", f"地址 {addr}"), ("09:00:05", "a", "好的")], "a")
    b = _chat(
        "buyer_b",
        [("10:00:00", "b", "在吗"), ("10:00:05", "a", "是寄到杭州市西湖区文三路90号吗")],
        "b",
    )
    [v] = run(make_rule(PiiLeak, "P002"), a, b)
    assert v.message.startswith("地址|") and "文三路90号" not in v.message
    assert codes(make_rule(PiiLeak, "P002", kinds=["phone"]), a, b) == []


def test_p002_observations_are_small_and_picklable() -> None:
    rule = make_rule(PiiLeak, "P002")
    quiet = _chat("buyer_a", [("09:00:00", "b", "在吗"), ("09:00:05", "a", "在的亲")], "q")
    assert rule.observe(ctx_for(rule, quiet)) is None
    rows: list[Row] = [("09:00:00", "b", "电话13812345678")] + [
        (f"09:{i:02d}:30", "a", "好的") for i in range(1, 50)
    ]
    obs = rule.observe(ctx_for(rule, _chat("buyer_a", rows, "a")))
    assert isinstance(obs, LeakObservation)
    assert len(obs.seen) == 1 and len(obs.sent) == 1 and obs.candidates == ()
    assert b"13812345678" not in pickle.dumps(obs)  # values are kept as digests


def test_p002_texts_known_clean_are_skipped_with_the_same_observations() -> None:
    """observe looks only at texts not known to hold no personal data: a rule
    that has seen the clean texts before observes what a fresh one does."""
    sessions = [
        _chat("buyer_a", [("09:00:00", "b", "电话13812345678"), ("09:00:05", "a", "好的亲")], "a"),
        _chat("buyer_b", [("10:00:00", "b", "在吗"), ("10:00:05", "a", "好的亲")], "b"),
        _chat("buyer_b", [("11:00:00", "b", "在吗"), ("11:00:05", "a", "是13812345678吗")], "b2"),
    ]
    warm = make_rule(PiiLeak, "P002")
    for s in sessions:
        warm.observe(ctx_for(warm, s))
    assert isinstance(warm, PiiLeak) and {"好的亲", "在吗"} <= warm._clean
    for s in sessions:
        fresh = make_rule(PiiLeak, "P002")
        assert warm.observe(ctx_for(warm, s)) == fresh.observe(ctx_for(fresh, s))


# --------------------------------------------------------------------------- order invariance
ALL_RULES = [
    (EmoticonRatio, "S001"),
    (ParticleRatio, "S002"),
    (FirstResponse, "T001"),
    (Greeting, "T002"),
    (FollowUp, "T003"),
    (AgentAway, "T004"),
    (LastWord, "F001"),
    (Closing, "F002"),
    (ReturningBuyer, "F003"),
    (PiiLeak, "P002"),
]

BUSY: list[Row] = [
    ("10:00:00", "b", "在吗，电话13812345678"),
    ("10:00:00", "bot", "亲，欢迎光临"),
    ("10:00:00", "a", "您好"),
    ("10:02:00", "b", "这款有货吗"),
    ("10:02:00", "b", "这款有货吗"),
    ("10:08:00", "xfer", ""),
    ("10:09:30", "a2", "有的哦/:^_^"),
    ("10:11:00", "b", "好"),
    ("10:11:00", "a2", "感谢您"),
]


@pytest.mark.parametrize(("cls", "code"), ALL_RULES)
def test_shuffled_messages_give_the_same_findings(cls: type[Rule], code: str) -> None:
    rule = make_rule(cls, code)
    earlier = _chat("tb_buyer01", [("08:00:00", "b", "在吗"), ("08:00:03", "a", "在的")], "early")
    other = _chat("other", [("11:00:00", "b", "在吗"), ("11:00:03", "a", "是13812345678吗")], "o")
    s = session(BUSY)

    def key(vs: list[Violation]) -> list[tuple[Any, ...]]:
        return sorted((v.code, v.session, v.time, v.text, v.span, v.message) for v in vs)

    expected = key(run(rule, earlier, s, other))
    rng = random.Random(7)
    for _ in range(20):
        msgs = list(s.messages)
        rng.shuffle(msgs)
        msgs.sort(key=lambda m: m.time)  # sessionize: time order, file order for equal times
        sessions = [earlier, replace(s, messages=tuple(msgs)), other]
        rng.shuffle(sessions)
        assert key(run(rule, *sessions)) == expected


def test_anchor_builds_the_violation_the_context_would() -> None:
    rule = make_rule(PiiLeak, "P002")
    ctx = ctx_for(rule, session(BUSY))
    fields = {"value": "138****5678", "kind": "手机号", "kind_code": "phone"}
    for i in range(len(BUSY)):  # buyer, agent and system anchors
        span = (0, 1) if i % 2 else None
        expected = ctx.violation(rule.spec, i, span=span, **fields)
        assert ctx.anchor(i).violation(rule.spec, span, **fields) == expected


class _PlainTimeline(SessionContext):
    """A context whose timeline is a plain list, as a context built elsewhere might give."""

    def timeline(self) -> list[int]:
        return list(super().timeline())


@pytest.mark.parametrize(("cls", "code"), ALL_RULES)
def test_rules_read_a_plain_list_timeline_alike(cls: type[Rule], code: str) -> None:
    rule = make_rule(cls, code)
    sessions = [
        session(BUSY),
        _chat("other", [("11:00:00", "b", "在吗"), ("11:00:03", "a", "是13812345678吗")], "o"),
        session(BUSY[:3], sid="again"),
    ]

    def findings(make: type[SessionContext]) -> list[Violation]:
        found: list[Violation] = []
        observations = []
        for s in sessions:
            c = make(s, ShopFacts(names=(SHOP,)), FakeAnalysis, fake_hits([rule]))  # type: ignore[arg-type]
            found.extend(rule.check(c))
            observations.append(rule.observe(c))
        return found + list(rule.finish(observations))

    assert findings(_PlainTimeline) == findings(SessionContext)
