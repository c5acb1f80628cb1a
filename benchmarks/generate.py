"""Deterministic generator of realistic Taobao/Tmall customer-service chat logs.

Writes canonical CSV (``time,buyer,sender,text`` and optionally ``role``,
``shop``; UTF-8, ``\\n`` line ends), time-ordered across the whole file.

What the logs look like:

- several shops (tea, furniture, baby goods, electronics, clothing), each with
  its own agents (``店铺:客服`` nicks), an auto-reply account (``店铺:服务助手``)
  and its own buyers (buyer nicks do not cross shops, as in a per-shop export);
- sessions of 6-12 messages that open with the buyer and then alternate
  buyer/agent (an auto-reply greeting sometimes comes before the agent's own);
  many sessions run at the same time, arrivals are spread over 08:00-23:30;
- buyers come back (about 15 % of sessions are by a buyer already seen, more
  than 30 minutes after their last session ended, so they are new sessions);
- agent texts are built from templates and vocabulary (products, colours,
  sizes, couriers, days, prices, names, order and phone numbers), so most
  texts are distinct, plus the canned replies (快捷短语) every shop repeats:
  auto-reply greetings, closings, "稍等" — as real logs do;
- agent replies contain the bundled rules' phrases at a small rate
  (``--violation-rate``; by default about 3 % of all agent messages): forbidden phrases
  (我也不知道, 应该是吧, 不行 …), invoice refusals, 微信/vx/QQ contact, late
  shipping promises, closing orders, refunds, gifts; ordinary 不-words
  (不客气, 不好意思, 不会, 不用) and 你好 occur naturally, as do curt replies,
  ending particles and slow replies (timing rules).

Deterministic: the same ``--messages``/``--seed`` give the same bytes.

    python benchmarks/generate.py --messages 100000 --seed 1 -o /tmp/bench-100k.csv
"""

from __future__ import annotations

import argparse
import csv
import heapq
import io
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

START = datetime(2025, 3, 3, 8, 0, 0)
DAY_OPEN = 8 * 3600
DAY_CLOSE = 23 * 3600 + 30 * 60

EMOTICONS = [
    "/:^_^",
    "/:087",
    "/:-F",
    "/:)-(",
    "[微笑]",
    "[可爱]",
    "[愉快]",
    "[调皮]",
    "[握手]",
    "~",
    "～",
]

# ---------------------------------------------------------------- shops


@dataclass
class Shop:
    name: str
    agents: list[str]
    products: list[str]
    materials: list[str]
    features: list[str]
    colors: list[str]
    sizes: list[str]
    price_range: tuple[int, int]
    buyers: list[str] = field(default_factory=list)


SHOPS = [
    Shop(
        "美动态旗舰店",
        ["小花", "茶茶", "阿杰", "婷婷", "小雅", "阿福"],
        [
            "明前龙井",
            "铁观音",
            "大红袍礼盒",
            "普洱饼",
            "白毫银针",
            "碧螺春",
            "金骏眉",
            "六安瓜片",
            "茉莉花茶",
            "安吉白茶",
            "老白茶饼",
            "正山小种",
            "黄山毛峰",
            "信阳毛尖",
            "凤凰单丛",
        ],
        ["今年的新茶", "高山茶园的原料", "传统手工炒制", "三年陈的老茶", "核心产区的茶青"],
        ["口感清爽回甘", "香气高扬耐冲泡", "茶汤红亮醇厚", "对肠胃比较温和", "送长辈很合适"],
        ["罐装", "袋装", "礼盒装", "散装", "小泡袋"],
        ["50克", "100克", "250克", "357克", "500克"],
        (39, 899),
    ),
    Shop(
        "小鹿家居旗舰店",
        ["小鹿", "阿宁", "木木", "晓晓", "大鹏"],
        [
            "高脚凳",
            "收纳柜",
            "床头柜",
            "实木餐桌",
            "布艺沙发",
            "电脑桌",
            "衣帽架",
            "鞋柜",
            "书架",
            "折叠椅",
            "茶几",
            "电视柜",
            "儿童床",
            "梳妆台",
            "置物架",
        ],
        ["橡胶木", "北美白蜡木", "E0级环保板材", "加厚冷轧钢", "科技布"],
        ["结实耐用", "安装很简单", "承重200斤没问题", "边角都做了圆角处理", "防水防刮"],
        ["原木色", "胡桃色", "白色", "黑色", "灰色", "奶油白"],
        ["60厘米", "80厘米", "1米2", "1米5", "1米8"],
        (59, 3999),
    ),
    Shop(
        "青禾母婴专营店",
        ["青青", "禾苗", "小米", "朵朵", "安安", "乐乐", "果果"],
        [
            "婴儿湿巾",
            "纸尿裤",
            "奶瓶",
            "婴儿推车",
            "爬行垫",
            "儿童餐椅",
            "连体衣",
            "防胀气奶瓶",
            "吸奶器",
            "婴儿洗衣液",
            "安抚奶嘴",
            "辅食机",
            "婴儿背带",
            "宝宝面霜",
            "学饮杯",
        ],
        ["食品级硅胶", "纯棉面料", "PPSU材质", "无荧光剂配方", "航空铝合金车架"],
        ["宝宝用着很安全", "妈妈们回购率很高", "清洗很方便", "透气不闷", "一只手就能收车"],
        ["粉色", "蓝色", "米白", "浅灰", "薄荷绿"],
        ["S码", "M码", "L码", "XL码", "NB码", "66码", "73码", "80码"],
        (19, 1999),
    ),
    Shop(
        "潮酷数码旗舰店",
        ["阿K", "小林", "米粒", "大卫", "Coco", "阿泽"],
        [
            "蓝牙耳机",
            "充电宝",
            "智能手表",
            "机械键盘",
            "无线鼠标",
            "数据线",
            "快充头",
            "平板保护壳",
            "手机支架",
            "移动硬盘",
            "降噪耳机",
            "游戏手柄",
            "扩展坞",
            "运动手环",
            "桌面音箱",
        ],
        ["航空铝外壳", "原装电芯", "Type-C接口", "双模蓝牙5.3", "PD快充协议"],
        ["续航可以用两天", "兼容安卓和苹果", "延迟很低打游戏也可以", "支持一年换新", "做工很精致"],
        ["黑色", "白色", "星空蓝", "樱花粉", "深空灰"],
        ["10000毫安", "20000毫安", "1米", "2米", "标准版", "Pro版"],
        (29, 1299),
    ),
    Shop(
        "花漾女装旗舰店",
        ["小雨", "阿美", "糖糖", "Lily", "芸芸", "小七"],
        [
            "碎花连衣裙",
            "针织开衫",
            "阔腿裤",
            "牛仔外套",
            "衬衫",
            "半身裙",
            "风衣",
            "卫衣",
            "羊毛大衣",
            "吊带背心",
            "西装外套",
            "打底衫",
            "休闲短裤",
            "雪纺衫",
            "毛衣",
        ],
        ["纯棉面料", "天丝面料", "100%羊毛", "重磅真丝", "水洗牛仔"],
        ["上身很显瘦", "不起球不掉色", "版型很正", "垂感很好", "春秋都能穿"],
        ["杏色", "雾霾蓝", "黑色", "奶白", "焦糖色", "豆沙粉"],
        ["S码", "M码", "L码", "XL码", "均码"],
        (49, 1599),
    ),
]

COURIERS = ["中通", "圆通", "韵达", "申通", "顺丰", "极兔", "邮政"]
CITIES = [
    "杭州",
    "上海",
    "广州",
    "北京",
    "成都",
    "武汉",
    "南京",
    "深圳",
    "苏州",
    "西安",
    "长沙",
    "郑州",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅琳雪婷欣悦晨宇浩然子涵"
NICK_WORDS = [
    "小雨点",
    "茶友",
    "猫咪",
    "快乐",
    "阳光",
    "momo",
    "jerry",
    "lucky",
    "糖果",
    "月亮",
    "小鱼儿",
    "星星",
    "豆豆",
    "sunny",
    "可乐",
    "橙子",
    "奶茶",
    "木头",
    "zoe",
    "echo",
]
STREETS = ["文三路", "人民路", "解放路", "中山路", "建设路", "延安路", "学院路", "长江路", "和平路"]
PROVINCES = [
    "浙江省杭州市西湖区",
    "江苏省南京市鼓楼区",
    "广东省广州市天河区",
    "四川省成都市武侯区",
    "湖北省武汉市洪山区",
    "上海市浦东新区",
    "北京市朝阳区",
]

# ---------------------------------------------------------------- texts

BUYER_OPEN = [
    "在吗",
    "在吗？",
    "你好",
    "您好",
    "亲，在吗",
    "在不在",
    "hello",
    "有人吗",
    "老板在吗",
    "你好，问一下",
    "客服在吗",
    "在么",
]
BUYER_ASK = [
    "这款{product}还有货吗",
    "{product}有{color}的吗",
    "{product}什么时候发货",
    "这个{product}包邮吗",
    "{product}能便宜点吗",
    "买两个能便宜吗",
    "发什么快递",
    "能发{courier}吗？比较急",
    "{size}的还有吗",
    "这个质量怎么样",
    "和{product}比哪个好",
    "可以开发票吗，公司报销要用",
    "我身高{height}体重{weight}斤穿什么码",
    "有赠品吗",
    "能退货吗，不合适怎么办",
    "几天能到{city}",
    "我昨天拍的{product}怎么还没发货",
    "物流到哪了，订单号{order}",
    "地址填错了能改吗",
    "{name} {phone} {address}",
    "[图片]",
    "这个和详情页写的不一样啊",
    "有没有优惠券",
    "{product}是{material}的吗",
    "保质期多久",
    "可以用花呗吗",
    "能不能今天发",
    "收到的有点问题",
    "这个{product}适合送人吗",
    "库存还多吗",
    "链接里的{color}和{color2}哪个好看",
]
BUYER_REPLY = [
    "好的",
    "好的谢谢",
    "嗯嗯",
    "拍了",
    "行",
    "OK",
    "那我再看看",
    "知道了",
    "谢谢",
    "好吧",
    "拍好了",
    "行，那就这个吧",
    "麻烦快点发货",
    "哦哦",
    "明白了",
    "那算了",
    "可以",
    "好的，那我拍{count}个",
    "还有别的颜色吗",
    "那什么时候能到",
    "嗯，{color}的吧",
    "你们家的{product}我买过，挺好的",
    "收到了",
    "谢谢亲",
]

AUTO_GREETING = [
    "亲，您好，欢迎光临{shop}/:^_^ 客服正在赶来，请稍等片刻哦～",
    "您好，欢迎光临{shop}[微笑] 有什么可以帮您的呢？",
    "亲，欢迎光临{shop}～现在咨询的人比较多，请稍等哦/:087",
]
AGENT_GREETING = [
    "亲，您好，我是客服{agent}，很高兴为您服务/:^_^ 请问有什么可以帮您的呢？",
    "亲，您好，在的哦/:^_^",
    "您好，在的，请问有什么可以帮您？",
    "在的亲，您说～",
    "亲，您好，{agent}为您服务，请问有什么需要呢[微笑]",
    "你好，在的",
    "亲，您好/:^_^ 有什么可以帮您的呢",
    "您好亲，很高兴为您服务，请问想了解哪款{product}呢？",
]
AGENT_RETURNING = [
    "{buyer}亲，欢迎回来/:^_^ 上次的{product}用着还满意吗？",
    "亲，欢迎再次光临/:^_^ 有什么需要随时告诉我哦",
]
AGENT_ANSWER = [
    "有货的亲，{product}今天拍下{days}天内发货哦[微笑]",
    "亲，这款{product}是{material}，{feature}哦/:087",
    "亲，默认发{courier}，全国大部分地区{d1}到{d2}天送达哦",
    "可以的亲，您要{courier}的话需要补一下差价{small}元哦",
    "亲，这款已经是活动价了呢，满两件可以用店铺优惠券减{small}元哦/:^_^",
    "{color}和{color2}都很受欢迎呢，{color}百搭一些，您可以看看买家秀～",
    "亲，按您的身高体重建议选{size}哦，不合适支持七天无理由退换的[微笑]",
    "亲，我帮您查一下哦，稍等",
    "亲，您的包裹已经到{city}转运中心了，预计明天就能送到哦[微笑]",
    "好的亲，已经帮您备注{courier}了，今天下午{hour}点前发出/:^_^",
    "可以开发票的亲，发票随货寄出，运费我们承担哦",
    "亲，{product}现在有{color}、{color2}两个颜色可以选呢",
    "亲，收到的东西有问题麻烦拍张照片给我，我马上为您处理/:-F",
    "好的亲，地址已经帮您改好了，您在订单详情里刷新一下就能看到哦",
    "不好意思让您久等了，刚刚查到您的订单{order}已经发出了，单号是{courier}{tracking}",
    "亲，这款{product}{size}的还剩{count}件，喜欢的话可以尽快拍下哦",
    "不会的亲，我们家的{product}{feature}，您放心",
    "不用担心亲，有任何质量问题我们都包退换的/:^_^",
    "亲，这个价格是{price}元，已经是最低价了呢",
    "收到了亲，已经给您备注好了哦/:^_^",
    "亲，拍下后{days}天内发货，发{courier}哦",
    "是的亲，这款{product}是{material}的，{feature}",
    "亲，可以用花呗的，还可以分期哦",
    "亲，这款{product}送人很有面子的，包装也很精美呢[可爱]",
    "稍等亲，我帮您问一下仓库哦",
    "亲，{product}保质期是{months}个月，都是新鲜发货的呢",
    "好的呢，{color}的{size}给您留好了/:087",
    "亲，退货的话在订单里申请就可以，运费险会自动赔付的哦",
    "没问题的亲，{product}和{product2}我们都有现货",
    "亲，今天下单的话{weekday}就能到{city}哦",
]
# A second sentence agents often add to an answer.
AGENT_FOLLOWUP = [
    "现在下单还送运费险哦",
    "{product2}也在做活动，可以一起看看",
    "今天拍下{days}天内发货",
    "有需要随时叫我哦",
    "喜欢的话可以先加购物车",
    "{color}的库存不多了",
    "质量问题包退换的",
    "满{price}元减{small}元",
    "好评返现{small}元哦",
    "您看一下详情页第{count}张图",
    "{courier}发货，{d1}到{d2}天到",
    "我们是官方旗舰店，放心购买",
    "已经帮您备注了",
    "收到后有问题随时联系我们",
    "{size}的最好卖",
    "很多老客户都回购的呢",
    "仓库在{city}，发{city}特别快",
    "亲可以放心哦",
    "这款是店里的爆款呢",
]
AGENT_SHORT = [
    "好的",
    "嗯",
    "是的",
    "好的亲",
    "在的亲",
    "是的呢",
    "对的",
    "可以的",
    "稍等哦",
    "/:^_^",
    "[微笑]",
    "好嘞",
    "收到",
]
AGENT_CLOSING = [
    "不客气亲，感谢您的光临，祝您生活愉快～",
    "感谢您的支持，有问题随时联系我们哦/:^_^",
    "好的亲，收到后有任何问题随时联系我们哦，祝您购物愉快～",
    "谢谢亲，欢迎下次光临[微笑]",
    "亲，还有什么可以帮您的吗？",
    "不客气哦，期待再次为您服务/:^_^",
    "好的亲，一有物流信息我第一时间通知您，感谢您的耐心等待[微笑]",
]
AGENT_PLAIN_ENDING = [  # W004 (啊/啦) and no emoticon
    "好的啦，马上给您安排",
    "这个真的很好看啊",
    "工厂那边也在加班赶货的啊，我这边再帮您催一下",
    "已经发货啦，请耐心等待哦",
]
# The rules' phrases, as agents actually write them.
AGENT_VIOLATION = [
    "这个我也不知道呢，要问一下仓库",  # W001
    "生产日期我也不知道，要问仓库",
    "应该是吧，您看详情页",
    "我不大清楚哦，您自己看看详情",
    "{product}都差不多，自己选吧",
    "我也不懂这个，您问问别人",
    "不行哦，价格都是统一的，不能再便宜了",  # W001 + W002
    "这个不归我管，您找售后吧",
    "我找不到人问，您明天再来吧",
    "特价款是没有发票的呢，亲",  # P001
    "开发票需要另付6%的税点哦",
    "发票开不了哦，打印机坏了",
    "有问题加我微信{wx}，给您便宜点",  # P006
    "加vx{digits}详聊，这里说话不方便",
    "您加我V信：{wx}，发您实拍图",
    "方便的话留个QQ：{digits}，我发您视频",
    "原木色这批卖断了，工厂在赶货，下周发货哦",  # P005
    "亲，这款要{late}天后才能发货哦",
    "您刚才拍的那单还没付款，我这边帮您关闭交易了",  # P004
    "好的，马上给您退款",  # C002
    "拍下后送您一个小礼物哦",  # C001
    "可以送你一个收纳小篮子，你拍下备注就行",  # C001 + W005
    "你的订单已经发出了，注意查收",  # W005
    "收件人{name} {phone}，地址{address}，已经帮您改好了",  # PII echoed back
    "不能便宜了亲，这已经是底价",  # W002
    "这个不支持退换的哦",
    "到不了那么快的，要{d2}天",
]


def _syllable_nick(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return f"tb_{rng.randrange(10**6, 10**9)}"
    if kind < 0.65:
        return f"{rng.choice(NICK_WORDS)}{rng.randrange(1970, 2025) if rng.random() < 0.6 else rng.randrange(10, 999)}"
    if kind < 0.85:
        return (
            f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}_{rng.randrange(1, 99)}"
        )
    return f"{rng.choice(NICK_WORDS)}{rng.choice(NICK_WORDS)}"


class TextMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def slots(self, shop: Shop, agent: str, buyer: str) -> dict[str, str]:
        r = self.rng
        p1, p2 = r.sample(shop.products, 2)
        c1, c2 = r.sample(shop.colors, 2)
        return {
            "shop": shop.name,
            "agent": agent,
            "buyer": buyer,
            "product": p1,
            "product2": p2,
            "material": r.choice(shop.materials),
            "feature": r.choice(shop.features),
            "color": c1,
            "color2": c2,
            "size": r.choice(shop.sizes),
            "courier": r.choice(COURIERS),
            "city": r.choice(CITIES),
            "days": str(r.choice([1, 2, 3, 3, 2])),
            "late": str(r.choice([4, 5, 7, 10, 15])),
            "d1": str(r.randint(1, 3)),
            "d2": str(r.randint(3, 6)),
            "small": str(r.choice([5, 8, 10, 12, 15, 20, 30])),
            "price": str(r.randint(*shop.price_range)),
            "count": str(r.randint(1, 9)),
            "months": str(r.choice([6, 12, 18, 24, 36])),
            "hour": str(r.randint(3, 6)),
            "height": str(r.randint(150, 185)),
            "weight": str(r.randint(85, 160)),
            "weekday": r.choice(["明天", "后天", "周三", "周四", "周五", "周六"]),
            "order": str(r.randrange(10**17, 10**18)),
            "tracking": str(r.randrange(10**11, 10**12)),
            "phone": f"1{r.choice('3456789')}{r.randrange(10**8, 10**9)}",
            "name": f"{r.choice(SURNAMES)}{r.choice(GIVEN)}",
            "address": f"{r.choice(PROVINCES)}{r.choice(STREETS)}{r.randint(1, 999)}号",
            "wx": f"{r.choice(['mdt', 'xl', 'qh', 'ck', 'hy'])}_{r.randrange(1000, 99999)}",
            "digits": str(r.randrange(10**5, 10**10)),
        }

    def fill(self, template: str, slots: dict[str, str]) -> str:
        return template.format(**slots)

    def decorate(self, text: str, slots: dict[str, str]) -> str:
        """Agents add a second sentence, a particle or an emoticon now and then."""
        rng = self.rng
        if rng.random() < 0.4:
            sep = rng.choice(["，", "。", "～", "！", " "])
            text = text.rstrip("。") + sep + self.fill(rng.choice(AGENT_FOLLOWUP), slots)
        r = rng.random()
        if r < 0.2 and not text.endswith(tuple(EMOTICONS)):
            return text + rng.choice(EMOTICONS)
        if r < 0.3 and "亲" not in text[:4]:
            return "亲，" + text
        if r < 0.38:
            return text + rng.choice(["哦", "呢", "的", "哈"])
        return text


@dataclass
class Stats:
    messages: int = 0
    sessions: int = 0
    agent_messages: int = 0
    injected: int = 0
    returning: int = 0
    texts: set[str] = field(default_factory=set)
    agent_texts: set[str] = field(default_factory=set)
    bytes: int = 0


def _session(
    rng: random.Random,
    tm: TextMaker,
    shop: Shop,
    buyer: str,
    returning: bool,
    start: datetime,
    violation_rate: float,
    stats: Stats,
) -> list[tuple[datetime, str, str, str, str]]:
    """One session: rows (time, buyer, sender, text, role)."""
    n = rng.randint(6, 12)
    agent = rng.choice(shop.agents)
    sender = f"{shop.name}:{agent}"
    bot = f"{shop.name}:服务助手"
    slots = tm.slots(shop, agent, buyer)
    rows: list[tuple[datetime, str, str, str, str]] = []
    t = start

    def add(who: str, role: str, text: str) -> None:
        rows.append((t, buyer, who, text, role))

    add(
        buyer,
        "buyer",
        rng.choice(BUYER_OPEN) if rng.random() < 0.7 else tm.fill(rng.choice(BUYER_ASK), slots),
    )
    turn = "agent"
    answered_once = False
    while len(rows) < n:
        if turn == "agent":
            if not answered_once and rng.random() < 0.35 and len(rows) + 1 < n:
                t += timedelta(seconds=1)
                add(bot, "agent", tm.fill(rng.choice(AUTO_GREETING), slots))
            delay = rng.uniform(2, 6) if rng.random() < 0.85 else rng.uniform(6, 45)
            if rng.random() < 0.01:
                delay = rng.uniform(300, 420)  # away without a transfer (T004)
            t += timedelta(seconds=delay)
            remaining = n - len(rows)
            if not answered_once:
                if returning and rng.random() < 0.6:
                    text = tm.fill(rng.choice(AGENT_RETURNING), slots)
                else:
                    text = tm.fill(rng.choice(AGENT_GREETING), slots)
                answered_once = True
            elif remaining <= 1:
                text = rng.choice(AGENT_CLOSING)
            elif rng.random() < violation_rate:
                text = tm.fill(rng.choice(AGENT_VIOLATION), slots)
                stats.injected += 1
            else:
                roll = rng.random()
                if roll < 0.12:
                    text = rng.choice(AGENT_SHORT)
                elif roll < 0.15:
                    text = rng.choice(AGENT_PLAIN_ENDING)
                else:
                    text = tm.decorate(tm.fill(rng.choice(AGENT_ANSWER), slots), slots)
                # a fresh question brings fresh product/colour/number slots
                if rng.random() < 0.5:
                    slots = tm.slots(shop, agent, buyer)
            add(sender, "agent", text)
            stats.agent_messages += 1
            stats.agent_texts.add(text)
            turn = "buyer"
        else:
            delay = rng.uniform(5, 50) if rng.random() < 0.93 else rng.uniform(60, 240)
            t += timedelta(seconds=delay)
            remaining = n - len(rows)
            if remaining <= 2 and rng.random() < 0.6:
                text = tm.fill(rng.choice(BUYER_REPLY), slots)
            elif rng.random() < 0.55:
                text = tm.fill(rng.choice(BUYER_ASK), slots)
            else:
                text = tm.fill(rng.choice(BUYER_REPLY), slots)
            add(buyer, "buyer", text)
            turn = "agent"
    if rows[-1][4] == "buyer" and len(rows) < 12 and rng.random() < 0.7:
        t += timedelta(seconds=rng.uniform(2, 8))
        add(sender, "agent", rng.choice(AGENT_CLOSING))
        stats.agent_messages += 1
    return rows


def _next_open_time(t: datetime) -> datetime:
    """Shops answer 08:00-23:30; later arrivals move to the next morning."""
    secs = t.hour * 3600 + t.minute * 60 + t.second
    if secs < DAY_OPEN:
        return t.replace(hour=8, minute=0, second=0)
    if secs > DAY_CLOSE:
        return (t + timedelta(days=1)).replace(hour=8, minute=0, second=0)
    return t


def generate(
    messages: int,
    seed: int,
    violation_rate: float = 0.055,
    mean_gap_s: float = 4.0,
) -> Iterator[tuple[datetime, str, str, str, str, str]]:
    """Rows ``(time, buyer, sender, text, role, shop)`` in time order (stable), ``messages`` of them."""
    rng = random.Random(seed)
    tm = TextMaker(rng)
    stats = Stats()
    generate.stats = stats  # type: ignore[attr-defined]
    # several shops, of unequal size
    weights = [0.3, 0.2, 0.2, 0.18, 0.12]
    last_end: dict[tuple[str, str], datetime] = {}
    heap: list[tuple[datetime, int, tuple[datetime, str, str, str, str, str]]] = []
    seq = 0
    emitted = 0
    t = START
    while emitted < messages:
        t = _next_open_time(t + timedelta(seconds=rng.expovariate(1 / mean_gap_s)))
        # flush every pending row earlier than this session's start: later sessions start later
        while heap and heap[0][0] < t and emitted < messages:
            yield heapq.heappop(heap)[2]
            emitted += 1
        if emitted >= messages:
            break
        shop = rng.choices(SHOPS, weights)[0]
        buyer = None
        returning = False
        if shop.buyers and rng.random() < 0.15:
            cand = rng.choice(shop.buyers)
            end = last_end.get((shop.name, cand))
            if end is not None and (t - end).total_seconds() > 2400:
                buyer, returning = cand, True
        if buyer is None:
            buyer = _syllable_nick(rng)
            while (shop.name, buyer) in last_end or any((s.name, buyer) in last_end for s in SHOPS):
                buyer = _syllable_nick(rng)
            shop.buyers.append(buyer)
        rows = _session(rng, tm, shop, buyer, returning, t, violation_rate, stats)
        last_end[(shop.name, buyer)] = rows[-1][0]
        stats.sessions += 1
        stats.returning += returning
        for when, b, sender, text, role in rows:
            heapq.heappush(heap, (when, seq, (when, b, sender, text, role, shop.name)))
            seq += 1
    while heap and emitted < messages:
        yield heapq.heappop(heap)[2]
        emitted += 1


def write_csv(
    out: io.TextIOBase,
    messages: int,
    seed: int,
    *,
    role: bool = False,
    shop: bool = False,
    violation_rate: float = 0.055,
) -> Stats:
    header = (
        ["time", "buyer", "sender", "text"]
        + (["role"] if role else [])
        + (["shop"] if shop else [])
    )
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    rows = generate(messages, seed, violation_rate)
    for when, buyer, sender, text, r, s in rows:
        row = [when.strftime("%Y-%m-%d %H:%M:%S"), buyer, sender, text]
        if role:
            row.append(r)
        if shop:
            row.append(s)
        w.writerow(row)
        st = generate.stats  # type: ignore[attr-defined]
        st.messages += 1
        if len(st.texts) < 2_000_000:
            st.texts.add(text)
    return generate.stats  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", "-n", type=int, default=100_000, help="number of messages (rows)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", default="-", help="output CSV file (default: stdout)")
    ap.add_argument(
        "--role", action="store_true", help="add a role column (default: inferred by cslint)"
    )
    ap.add_argument("--shop", action="store_true", help="add a shop column")
    ap.add_argument(
        "--violation-rate",
        type=float,
        default=0.055,
        help="chance that an agent answer (not a greeting or closing) is built from a "
        "rule's phrase (default 0.055: about 3 %% of all agent messages)",
    )
    ap.add_argument("--quiet", "-q", action="store_true")
    args = ap.parse_args(argv)
    if args.output == "-":
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        stats = write_csv(
            out,
            args.messages,
            args.seed,
            role=args.role,
            shop=args.shop,
            violation_rate=args.violation_rate,
        )
        out.flush()
        out.detach()
    else:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            stats = write_csv(
                out,
                args.messages,
                args.seed,
                role=args.role,
                shop=args.shop,
                violation_rate=args.violation_rate,
            )
    if not args.quiet:
        print(
            f"{stats.messages} messages, {stats.sessions} sessions "
            f"({stats.returning} by returning buyers), {stats.agent_messages} agent messages, "
            f"{stats.injected} with an injected rule phrase "
            f"({stats.injected / max(stats.agent_messages, 1):.1%}); distinct texts "
            f"{len(stats.texts) / max(stats.messages, 1):.0%} of all, "
            f"{len(stats.agent_texts) / max(stats.agent_messages, 1):.0%} of agent messages",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
