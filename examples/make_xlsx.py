#!/usr/bin/env python3
"""Write examples/excel/xiaolu_2025-W10.xlsx from the rows below.

The workbook is what 小鹿家居旗舰店's night shift (20:00-24:00) exports from its
customer-service CRM: one sheet, the canonical columns (time, buyer, sender,
text, role, session, shop), real Excel date-time cells in the time column, and
a session ID on every row.

The output is deterministic: the same rows always give the same bytes (fixed
document properties and fixed timestamps inside the zip), so the committed
.xlsx only changes when the data here changes.

    python examples/make_xlsx.py            # needs openpyxl
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

SHOP = "小鹿家居旗舰店"
OUT = Path(__file__).resolve().parent / "excel" / "xiaolu_2025-W10.xlsx"
FIXED = datetime(2025, 3, 10, 9, 0, 0)  # "exported" on Monday morning after the week

# (session ID, buyer, [(time, who, text), ...]); who is "b" for the buyer,
# otherwise the agent's name inside the shop (the sender is "小鹿家居旗舰店:<name>").
SESSIONS = [
    (
        "XLJJ-0303-017",
        "二月春风",
        [
            ("2025-03-03 21:05:10", "b", "你们这个置物架有实物视频吗"),
            (
                "2025-03-03 21:05:12",
                "服务助手",
                "亲，您好，欢迎光临小鹿家居旗舰店～[微笑] 有什么可以帮您的呢？",
            ),
            ("2025-03-03 21:05:17", "木木", "亲，您好/:^_^ 详情页第二个视频就是实拍的哦"),
            ("2025-03-03 21:05:47", "b", "想看看安装过程"),
            (
                "2025-03-03 21:05:53",
                "木木",
                "安装视频文件比较大，您加我微信 xiaolu_home88，我发您看哦",
            ),
            ("2025-03-03 21:06:33", "b", "好的我加一下"),
            ("2025-03-03 21:06:38", "木木", "好的亲，有问题随时联系我们哦～"),
        ],
    ),
    (
        "XLJJ-0304-022",
        "tb_66108822",
        [
            ("2025-03-04 22:40:00", "b", "这款沙发毯有大一点的尺寸吗"),
            (
                "2025-03-04 22:40:03",
                "小鹿",
                "亲，您好，很高兴为您服务/:^_^ 有的哦，150*200的大尺寸在这个链接：https://detail.tmall.com/item.htm?id=698765432109",
            ),
            ("2025-03-04 22:41:01", "小鹿", "亲，还在吗？大尺寸的现在有活动，拍两条更划算哦[可爱]"),
            ("2025-03-04 22:41:21", "b", "在的，刚看了，两条有优惠吗"),
            ("2025-03-04 22:41:25", "小鹿", "拍两条立减15元哦，店铺满199还可以领20元优惠券呢"),
            ("2025-03-04 22:42:00", "b", "那我拍两条灰色"),
            ("2025-03-04 22:42:05", "小鹿", "好的亲，感谢您的支持，祝您晚安好梦～"),
        ],
    ),
    (
        "XLJJ-0306-009",
        "二月春风",
        [
            ("2025-03-06 21:30:00", "b", "置物架到了，安装的时候发现有个孔对不上"),
            ("2025-03-06 21:30:04", "小鹿", "二月春风亲，欢迎回来/:^_^ 方便拍个照片给我看看吗？"),
            ("2025-03-06 21:30:24", "b", "[图片]"),
            ("2025-03-06 21:30:30", "小鹿", "嗯"),
            (
                "2025-03-06 21:30:45",
                "小鹿",
                "亲，这个孔位的问题我也不懂，我去问一下技术同事，请您稍等哦",
            ),
            (
                "2025-03-06 21:32:15",
                "小鹿",
                "亲，技术同事说是侧板装反了，把侧板上下调换一下就能对上了哦[微笑]",
            ),
            ("2025-03-06 21:32:45", "b", "好了，装上了"),
            ("2025-03-06 21:32:49", "小鹿", "太好了亲，有问题随时联系我们，祝您生活愉快～"),
        ],
    ),
    (
        "XLJJ-0308-031",
        "tb_66108822",
        [
            ("2025-03-08 20:20:15", "b", "沙发毯很好，想再买一条给朋友"),
            ("2025-03-08 20:20:18", "木木", "亲，您好，很高兴为您服务/:^_^"),
            ("2025-03-08 20:20:33", "b", "还是上次那款"),
            (
                "2025-03-08 20:20:37",
                "木木",
                "好的亲，链接在这里哦：https://detail.tmall.com/item.htm?id=698765432109",
            ),
            ("2025-03-08 20:21:07", "b", "可以帮我包装一下吗，要送人的"),
            (
                "2025-03-08 20:21:12",
                "木木",
                "可以的亲，拍下备注“礼品包装”就行，我们会用礼盒包好哦[可爱]",
            ),
            ("2025-03-08 20:21:22", "b", "好的"),
            ("2025-03-08 20:21:25", "木木", "感谢您的支持，祝您周末愉快～"),
        ],
    ),
    (
        "XLJJ-0309-014",
        "二月春风",
        [
            ("2025-03-09 22:10:05", "b", "订单号3911223344556677889，帮我看下台灯什么时候发货"),
            (
                "2025-03-09 22:10:12",
                "小鹿",
                "二月春风亲，您好/:^_^ 我帮您查一下订单3911223344556677889哦",
            ),
            ("2025-03-09 22:10:32", "小鹿", "不好意思亲，这个订单的台灯明天上午发出哦"),
            ("2025-03-09 22:10:47", "b", "好的，谢谢"),
            ("2025-03-09 22:10:50", "小鹿", "不客气亲，有问题随时联系我们哦～"),
        ],
    ),
]


def rows() -> list[tuple[str, str, str, str, str, str]]:
    """Flatten SESSIONS into (time, buyer, sender, text, role, session) rows."""
    out = []
    for session, buyer, messages in SESSIONS:
        for time, who, text in messages:
            if who == "b":
                out.append((time, buyer, buyer, text, "buyer", session))
            else:
                out.append((time, buyer, f"{SHOP}:{who}", text, "agent", session))
    return out


def build() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "聊天记录"
    ws.append(["time", "buyer", "sender", "text", "role", "session", "shop"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for time, buyer, sender, text, role, session in rows():
        stamp = datetime.strptime(time, "%Y-%m-%d %H:%M:%S")
        ws.append([stamp, buyer, sender, text, role, session, SHOP])
        ws.cell(row=ws.max_row, column=1).number_format = "yyyy-mm-dd hh:mm:ss"
        ws.cell(row=ws.max_row, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEFG", (20, 14, 24, 60, 8, 16, 16), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = "小鹿家居旗舰店"
    wb.properties.created = FIXED
    wb.properties.modified = FIXED  # openpyxl overwrites this on save; fixed below

    raw = io.BytesIO()
    wb.save(raw)
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the zip with fixed entry timestamps and a fixed dcterms:modified."""
    stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    lambda m: m.group(1) + stamp.encode() + m.group(2),
                    payload,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, payload)
    return out.getvalue()


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(build())
    print(f"wrote {OUT} ({len(rows())} messages)")


if __name__ == "__main__":
    main()
