"""The engine and the session context: what is cached per text must not depend on the session.

Message rules judge a text once for the whole run (:class:`TextFacts`) and
apply the session's part afterwards (``unless_earlier_*``, ``unless_session``,
the shop's free-shipping dates). The properties below check a shared engine
against a fresh engine per session, so no exemption, shop fact or attribution
can leak from one session into another through the cache.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cslint.config import Config
from cslint.engine import Engine, SessionHead, SessionOutcome, _Covers
from cslint.model import AgentStats, Message, Role, Session, Violation
from cslint.rules import lexical
from cslint.rules.base import (
    Finding,
    SessionContext,
    ShopFacts,
    TextCache,
    TextRule,
    _scan,
    _scan_loop,
)
from cslint.ruleset import RulePack, load_pack
from cslint.text.analysis import analyze

SHOP = "青禾家居旗舰店"
AGENT, AGENT2, BOT = f"{SHOP}:木木", f"{SHOP}:小叶", f"{SHOP}:服务助手"
BUYER = "tb_suda_home"
T0 = datetime(2025, 3, 3, 9, 0, 0)
# a free-shipping promotion that ends on the second day: P003 fires on day 1 only
FREE_SHIPPING = ShopFacts(names=(SHOP,), free_shipping=True, free_shipping_until=date(2025, 3, 3))
PACK = load_pack(replace(Config(), shop=FREE_SHIPPING))

# Canned replies that break message rules, and words that exempt them in context.
AGENT_TEXTS = (
    "亲，您好，很高兴为您服务/:^_^",
    "这个我也不知道呢",  # W001 (W002 yields)
    "不能便宜了哦",  # W002
    "好",  # W003
    "好的啊",  # W004
    "你好，在的",  # W005
    "送您一个小礼物哦",  # C001 unless the buyer mentioned 送/礼物/优惠 earlier
    "这就给您退款",  # C002 unless an agent spoke of 主管/申请/核实 earlier
    "我帮您申请一下主管",  # exempts C002 afterwards
    "发票不能开哦",  # P001
    "这款不包邮的亲",  # P003 while the shop declares free shipping
    "偏远地区不包邮哦",  # P003 exempt in the sentence
    "帮您关闭订单了",  # P004 unless the buyer asked to close/cancel earlier
    "7天内发货哦",  # P005 unless 预售/定制 in the session
    "这是预售款哦",  # exempts P005 in the whole session
    "加我微信 abc12345",  # P006
    "qq 1234567 联系我",  # P006 by pattern
    "可以用微信支付的",  # P006 whitelisted
    "感谢您的光临，再见",
)
BUYER_TEXTS = (
    "在吗",
    "有优惠吗",  # exempts C001
    "订单不想要了，取消吧",  # exempts P004
    "是定制的吗",  # exempts P005
    "好的谢谢~",
)


def message(n: int, when: datetime, sender: str, text: str) -> Message:
    role = Role.BUYER if sender == BUYER else Role.AGENT
    return Message(when, BUYER, sender, text, role, "chat.csv", n + 2, None, SHOP)


# a session: (day, [(sender, text), ...]); every message 20 s after the previous one
SESSIONS = st.lists(
    st.tuples(
        st.integers(0, 1),
        st.lists(
            st.one_of(
                st.tuples(st.just(BUYER), st.sampled_from(BUYER_TEXTS)),
                st.tuples(st.sampled_from((AGENT, AGENT2, BOT)), st.sampled_from(AGENT_TEXTS)),
            ),
            min_size=1,
            max_size=8,
        ),
    ),
    min_size=1,
    max_size=6,
)


def build(drawn: list[tuple[int, list[tuple[str, str]]]]) -> list[Session]:
    sessions: list[Session] = []
    line = 0
    for number, (day, rows) in enumerate(drawn):
        start = T0 + timedelta(days=day, hours=number)
        messages = []
        for k, (sender, text) in enumerate(rows):
            messages.append(message(line, start + timedelta(seconds=20 * k), sender, text))
            line += 1
        sessions.append(Session(f"s{number}", BUYER, SHOP, tuple(messages)))
    return sessions


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SESSIONS)
def test_a_shared_engine_finds_what_a_fresh_engine_finds(
    drawn: list[tuple[int, list[tuple[str, str]]]],
) -> None:
    sessions = build(drawn)
    shared = Engine(PACK)
    for session in sessions + sessions[::-1]:  # every text seen before, in other contexts
        assert shared.check_session(session) == Engine(PACK).check_session(session)


def codes(outcome: SessionOutcome) -> list[str]:
    return sorted(v.code for v in outcome.violations)


def one_session(rows: list[tuple[str, str]], day: int = 0) -> Session:
    return build([(day, rows)])[0]


def test_an_earlier_buyer_mention_exempts_a_gift_only_in_its_own_session() -> None:
    engine = Engine(PACK)
    gift = (AGENT, "送您一个小礼物哦")
    asked = engine.check_session(one_session([(BUYER, "有优惠吗"), gift]))
    assert "C001" not in codes(asked)
    unasked = engine.check_session(one_session([(BUYER, "在吗"), gift]))
    assert "C001" in codes(unasked)
    later = engine.check_session(one_session([gift, (BUYER, "有优惠吗")]))
    assert "C001" in codes(later)  # the mention must come before the offer


def test_an_earlier_agent_approval_exempts_only_the_refunds_after_it() -> None:
    engine = Engine(PACK)
    refund = (AGENT, "这就给您退款")
    outcome = engine.check_session(
        one_session([refund, (AGENT, "我帮您申请一下主管"), refund, refund])
    )
    assert [v.line for v in outcome.violations if v.code == "C002"] == [2]


def test_a_session_exemption_covers_every_message_of_the_session() -> None:
    engine = Engine(PACK)
    promise = (AGENT, "7天内发货哦")
    assert "P005" in codes(engine.check_session(one_session([promise])))
    exempt = one_session([promise, (BUYER, "是定制的吗"), promise])
    assert "P005" not in codes(engine.check_session(exempt))


def test_shop_facts_apply_per_message_date() -> None:
    engine = Engine(PACK)
    denial = [(AGENT, "这款不包邮的亲")]
    assert "P003" in codes(engine.check_session(one_session(denial, day=0)))
    assert "P003" not in codes(engine.check_session(one_session(denial, day=1)))  # promotion over


def test_a_finding_becomes_the_violation_the_context_would_build() -> None:
    session = one_session([(BUYER, "在吗"), (AGENT, "你好，在的")])
    ctx = SessionContext(session, PACK.shop, analyze, PACK.find_hits)
    spec = next(r.spec for r in PACK.rules if r.code == "W005")
    finding = Finding.of(spec, (0, 1), "您", match="你")
    built = ctx.violation(spec, 1, span=(0, 1), suggestion="您", match="你")
    assert ctx.report(spec, 1, finding) == built
    assert built.message == "称呼客户用了「你」，应使用「您」"


def test_message_rules_judge_each_distinct_text_once() -> None:
    calls: list[str] = []

    def counting_analyze(text: str) -> object:
        calls.append(text)
        return analyze(text)

    engine = Engine(PACK)
    engine.texts.analyze = counting_analyze  # type: ignore[assignment]
    canned = [(AGENT, "亲，您好，很高兴为您服务/:^_^"), (AGENT, "好的啊")]
    first = engine.check_session(one_session([(BUYER, "在吗"), *canned]))
    again = engine.check_session(one_session([(BUYER, "人呢"), *canned, *canned]))
    assert [c for c in codes(first) if c.startswith("W")] == ["W004"]
    assert [c for c in codes(again) if c.startswith("W")] == ["W004", "W004"]
    assert sorted(calls) == sorted(
        {"亲，您好，很高兴为您服务/:^_^", "好的啊"}
    )  # buyers: no rule asked


def test_a_rule_that_asks_late_still_finds_in_texts_seen_before() -> None:
    texts = TextCache(analyze, PACK.find_hits)
    session = one_session([(AGENT, "这个我也不知道呢"), (AGENT, "好的啊")])
    w001, w004 = (next(r for r in PACK.rules if r.code == code) for code in ("W001", "W004"))
    first = SessionContext(session, PACK.shop, analyze, PACK.find_hits, texts=texts)
    assert [v.code for v in w001.check(first)] == ["W001"]
    later = SessionContext(session, PACK.shop, analyze, PACK.find_hits, texts=texts)
    assert [v.code for v in w004.check(later)] == ["W004"]  # registered after the texts were seen
    assert [v.code for v in w001.check(later)] == ["W001"]


def test_the_text_cache_is_bounded() -> None:
    texts = TextCache(analyze, PACK.find_hits, size=8)
    for n in range(50):
        assert texts.facts(f"第{n}条").text == f"第{n}条"
    assert texts.facts.cache_info().currsize == 8  # type: ignore[attr-defined]


def test_session_head_and_agent_stats() -> None:
    rows = [
        (BUYER, "在吗"),
        (AGENT2, "好的"),
        (AGENT, "[微笑]"),
        (AGENT, "在的亲"),
        (AGENT2, "亲，您好/:^_^"),
        (BUYER, "好的谢谢~"),
    ]
    session = one_session(rows)
    outcome = Engine(PACK).check_session(session)
    assert outcome.session == SessionHead.of(session)
    assert outcome.session.buyer_messages == 2
    assert outcome.agents == (AgentStats(AGENT2, 2, 1), AgentStats(AGENT, 2, 1))
    assert outcome.primary_agent == AGENT2  # a tie goes to the agent who wrote first
    assert outcome.first_response_s == 20.0
    assert outcome.first_responder == AGENT2
    assert outcome.agent_last_word is False


def test_a_span_is_reported_once_and_w002_yields_inside_w001() -> None:
    outcome = Engine(PACK).check_session(one_session([(AGENT, "这个我也不知道呢，不能便宜")]))
    found: list[Violation] = outcome.violations
    assert sorted(v.code for v in found) == ["W001", "W002"]
    w001 = next(v for v in found if v.code == "W001")
    w002 = next(v for v in found if v.code == "W002")
    assert w001.span == (2, 7)
    assert w002.span is not None
    assert w002.span[0] > 7  # 不能便宜, not the 不 inside 我也不知道


def test_engine_with_a_pack_of_session_rules_only() -> None:
    pack: RulePack = load_pack(replace(Config(), select=("T001", "F001")))
    outcome = Engine(pack).check_session(one_session([(BUYER, "在吗")]))
    assert codes(outcome) == ["F001", "T001"]


def test_results_keep_their_record_api() -> None:
    """Violation and SessionResult are plain (not frozen) slotted dataclasses
    for speed: fields, replace, equality, hashing and pickling work as before."""
    import pickle
    from dataclasses import fields

    session = one_session([(BUYER, "在吗"), (AGENT, "不知道")])
    results, found = Engine(PACK).run([session])
    v = found[0]
    assert [f.name for f in fields(v)][-2:] == ["shop", "deducted"]
    assert replace(v, deducted=False) != v and replace(v, deducted=v.deducted) == v
    assert hash(replace(v)) == hash(v) and len({v, replace(v)}) == 1
    assert pickle.loads(pickle.dumps(v)) == v
    assert pickle.loads(pickle.dumps(results[0])) == results[0]
    assert hash(results[0]) == hash(replace(results[0]))


def test_hit_only_finders_find_what_they_would_find_when_called() -> None:
    """The text cache skips a finder that finds nothing without a hit of its
    own (TextRule.finds_only_in_hits) on texts without one: calling it anyway
    gives the same findings."""
    gated = Engine(PACK).texts
    assert gated.hit_only  # the bundled phrase rules without patterns, P001
    every = TextCache(analyze, PACK.find_hits)
    every.finders.update(gated.finders)  # registered without the flag: always called
    for text in (*AGENT_TEXTS, *BUYER_TEXTS, "这个我也不知道呢，不能便宜", "亲，明天发货哦"):
        assert gated.facts(text).found() == every.facts(text).found()
    for code in gated.hit_only:
        rule = next(r for r in PACK.rules if r.code == code)
        assert rule.find(every.facts("好的谢谢~")) == ()  # no hit of its own: nothing


GATED_TEXTS = (
    "亲，这个不行哦",  # W002's 不
    "好的。不能便宜了",  # 不 in the second sentence
    "亲，7天后发货哦",  # P005: 发 and a late promise
    "亲，下周发货",  # P005: a listed phrase
    "亲，明天發貨哦",  # 發: normalized to 发 first
    "好的啊",  # W004's 啊
    "到了啦～谢谢",  # 啦 before a terminator, then another sentence
    "好的。收到了啊/:^_^",  # 啊 before an emoticon
    "亲，好的呢",  # none of the needed strings
    "不啊。发",
)


@pytest.mark.parametrize("text", GATED_TEXTS)
def test_finders_needing_a_string_find_what_they_would_find_when_called(text: str) -> None:
    """The text cache skips a finder whose needed strings (TextRule.finds_only_with)
    a text's sentences do not hold, unless the text has a hit of its own: calling
    it anyway gives the same findings, and a skipped finder finds nothing."""
    gated = Engine(PACK).texts
    assert {"W002", "P005", "W004"} <= set(gated.needs)
    every = TextCache(analyze, PACK.find_hits)
    every.finders.update(gated.finders)  # registered without the flag: always called
    assert gated.facts(text).found() == every.facts(text).found()
    facts = every.facts(text)
    joined = "\n".join(s.norm.text for s in facts.analysis.sentences)
    for code, needs in gated.needs.items():
        if needs.search(joined) is None and code not in facts.hits:
            assert gated.finders[code](facts) == ()  # skipped: would find nothing


def test_a_finder_needing_no_string_at_all_runs_on_its_hits_only() -> None:
    class NeedsNothing(TextRule):
        finds_only_with = ()

    rule = NeedsNothing(next(r for r in PACK.rules if r.code == "W001").spec)
    cache = TextCache(analyze, PACK.find_hits)
    cache.register(rule)
    assert "W001" in cache.hit_only and "W001" not in cache.needs


@pytest.mark.parametrize(
    "offsets",
    [
        (0, 20, 40, 60),  # the usual session: times strictly increase
        (0, 20, 20, 60),  # a tie
        (0, 40, 20, 60),  # out of order
    ],
)
@pytest.mark.parametrize("with_system", [False, True])
def test_the_quick_scan_gives_what_the_loop_gives(
    offsets: tuple[int, ...], with_system: bool
) -> None:
    senders = (BUYER, AGENT, AGENT2, BUYER)
    messages = [
        message(n, T0 + timedelta(seconds=s), who, f"第{n}条")
        for n, (s, who) in enumerate(zip(offsets, senders, strict=True))
    ]
    if with_system:
        messages.insert(2, replace(messages[1], role=Role.SYSTEM, sender="系统", text="转接"))
    quick, loop = _scan(messages), _scan_loop(messages)
    assert quick == loop
    (line, *_), (expected, *_) = quick, loop
    assert (line.roles, line.times, line.agents) == (
        expected.roles,
        expected.times,
        expected.agents,
    )


def test_a_violation_is_built_as_its_anchor_would_build_it() -> None:
    session = one_session([(BUYER, "在吗"), (AGENT, "你好，在的"), (AGENT2, "不知道")])
    ctx = SessionContext(session, PACK.shop, analyze, PACK.find_hits)
    spec = next(r.spec for r in PACK.rules if r.code == "W005")
    for index in (None, 0, 1, 2):
        span = None if index is None else (0, 1)
        assert ctx.violation(spec, index, span=span, match="你") == ctx.anchor(index).violation(
            spec, span, match="你"
        )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="个小时工作日天周星期礼拜月发货内三7", max_size=12))
def test_the_unit_precheck_agrees_with_the_unit_pattern(text: str) -> None:
    """P005 scans for a bare unit word; the patterns' unit takes an optional 个."""
    long_way = re.compile(lexical._UNIT).search(text) is None
    assert (lexical._ANY_UNIT.search(text) is None) == long_way


@pytest.mark.parametrize(
    "texts",
    [
        ["不能便宜了哦"],  # W002 alone: no rule it yields to reported, no _Covers
        ["这个我也不知道呢，不能便宜"],  # a W002 hit inside W001's, one outside
        ["这个我也不知道呢", "不能便宜了哦"],  # W001 and W002 in different messages
        ["发票不能开哦", "不能便宜了哦"],  # P001 and W002
    ],
)
def test_yielding_looks_only_at_the_rules_that_reported(texts: list[str]) -> None:
    """_dedupe checks a yielding rule's hits only against the rules it yields to
    that reported in the session: the same as checking against all of them."""
    engine = Engine(PACK)
    session = one_session([(BUYER, "在吗"), *((AGENT, t) for t in texts)])
    ctx = SessionContext(session, PACK.shop, analyze, PACK.find_hits, texts=engine.texts)
    found = [v for rule in engine.rules for v in rule.check(ctx)]
    assert "W002" in {v.code for v in found}
    covers = _Covers(found)  # every rule yield_to names, whether it reported or not
    expected = [v for v in found if not covers.inside(v, engine._yield_to.get(v.code))]
    assert engine._drop_yielded(found) == expected
