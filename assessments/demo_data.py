"""The demo plant's data: its units and seats, names to draw from, and how its people score. Invented."""

import datetime as dt
from dataclasses import dataclass

from people.models import OrgUnit

from .models import Vote

DEMO_PASSWORD = "kaoping-demo"  # noqa: S105 - a published demo password, for demo accounts only
COMPANY_CODE = "QLYT"
PLANT_CODE = "QLYT-CY2"
PLANT_NAME = "青岚油田第二采油厂"
LAST_CYCLE = "2025年度领导班子综合考评"
OPEN_CYCLE = "2026年度领导班子综合考评"
CODES_FILE = "demo_codes.txt"

# --- The organisation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    position: str
    key: str = ""  # how the code below refers to the seat's holder
    principal: bool = False
    titles: tuple[str, ...] = ("高级工程师", "高级工程师", "正高级工程师", "工程师")
    party_post: bool = False


PARTY = ("高级政工师", "政工师", "高级政工师")
ENGINEER = ("正高级工程师", "高级工程师")


def _party(position: str, key: str = "") -> Seat:
    return Seat(position, key=key, titles=PARTY, party_post=True)


def _engineer(position: str, key: str = "") -> Seat:
    return Seat(position, key=key, titles=ENGINEER)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    seats: tuple[Seat, ...] = ()
    codes: int = 0  # anonymous ballots issued to employee representatives per cycle
    overseer: str = ""  # the plant leader in charge, who rates the team with the director and secretary


K = OrgUnit.Kind
PLANT = Unit(
    PLANT_CODE,
    PLANT_NAME,
    K.PLANT,
    codes=20,
    seats=(
        Seat("厂长", key="director", principal=True, titles=ENGINEER),
        _party("党委书记", key="secretary"),
        _party("党委副书记、纪委书记", key="discipline"),
        Seat("副厂长", key="dep_prod"),
        Seat("副厂长", key="dep_ops"),
        Seat("副厂长", key="dep_admin", titles=("高级经济师",)),
        _engineer("总工程师", key="chief_eng"),
        Seat("安全总监", key="safety"),
        Seat("总会计师", key="cfo", titles=("高级会计师", "正高级会计师")),
    ),
)
UNITS = (
    Unit(
        f"{PLANT_CODE}-K1",
        "采油一矿",
        K.WORKSHOP,
        codes=18,
        overseer="dep_prod",
        seats=(
            Seat("矿长", key="leader", principal=True),
            _party("党委书记"),
            Seat("副矿长"),
            Seat("副矿长"),
            _party("党委副书记、纪委书记"),
            _engineer("总工程师"),
            Seat("安全总监"),
        ),
    ),
    Unit(
        f"{PLANT_CODE}-K2",
        "采油二矿",
        K.WORKSHOP,
        codes=16,
        overseer="dep_prod",
        seats=(
            Seat("矿长", principal=True),
            _party("党委书记"),
            Seat("副矿长", key="transferred"),
            Seat("副矿长"),
            _party("纪委书记"),
            Seat("安全总监"),
        ),
    ),
    Unit(
        f"{PLANT_CODE}-K3",
        "采油三矿",
        K.WORKSHOP,
        codes=17,
        overseer="dep_prod",
        seats=(
            Seat("矿长", principal=True),
            _party("党委书记"),
            Seat("副矿长", key="weak"),
            Seat("副矿长"),
            _party("党委副书记、纪委书记"),
            _engineer("总工程师"),
            Seat("安全总监"),
        ),
    ),
    Unit(
        f"{PLANT_CODE}-Z1",
        "作业一区",
        K.WORKSHOP,
        codes=12,
        overseer="dep_prod",
        seats=(
            Seat("经理", principal=True),
            _party("党支部书记"),
            Seat("副经理"),
            Seat("副经理"),
            _engineer("主任工程师"),
        ),
    ),
    Unit(
        f"{PLANT_CODE}-ZS",
        "注水大队",
        K.WORKSHOP,
        codes=13,
        overseer="chief_eng",
        seats=(
            Seat("大队长", principal=True),
            _party("党总支书记"),
            Seat("副大队长"),
            Seat("副大队长"),
            _engineer("主任工程师"),
        ),
    ),
    Unit(
        f"{PLANT_CODE}-JX",
        "井下作业大队",
        K.WORKSHOP,
        codes=15,
        overseer="dep_ops",
        seats=(
            Seat("大队长", principal=True),
            _party("党委书记"),
            Seat("副大队长"),
            Seat("副大队长"),
            _party("纪委书记"),
            Seat("安全总监"),
        ),
    ),
    Unit(
        f"{PLANT_CODE}-WX",
        "维修大队",
        K.WORKSHOP,
        codes=12,
        overseer="dep_ops",
        seats=(
            Seat("大队长", principal=True),
            _party("党总支书记"),
            Seat("副大队长", key="weak2"),
            Seat("副大队长"),
            _engineer("主任工程师"),
        ),
    ),
    Unit(
        f"{PLANT_CODE}-YJ",
        "地质工艺研究所",
        K.DEPARTMENT,
        codes=14,
        overseer="chief_eng",
        seats=(
            Seat("所长", principal=True, titles=ENGINEER),
            _party("党总支书记"),
            _engineer("副所长"),
            _engineer("副所长"),
            _engineer("总地质师"),
            _engineer("总工艺师"),
        ),
    ),
    Unit(f"{PLANT_CODE}-SC", "生产运行科", K.DEPARTMENT),
    Unit(f"{PLANT_CODE}-DQ", "党群工作部", K.DEPARTMENT),
)
# The deputy of 采油二矿 moved to 生产运行科 in spring 2026; his successor joined the team the next day.
TRANSFER_DATE = dt.date(2026, 3, 31)
COMPANY_LEADERS = (("总经理", "正高级工程师"), ("党委书记", "高级政工师"))

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴"
    "夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
MALE_NAMES = (
    "建国",
    "志强",
    "海涛",
    "永刚",
    "国华",
    "文斌",
    "立新",
    "振华",
    "学军",
    "俊峰",
    "宏伟",
    "继东",
    "德明",
    "长青",
    "晓峰",
    "卫东",
    "庆林",
    "明辉",
    "胜利",
    "洪涛",
    "云鹏",
    "建军",
    "新民",
    "光明",
    "树林",
    "占山",
    "玉林",
    "春生",
    "宝华",
    "金龙",
    "浩",
    "磊",
    "勇",
    "军",
    "涛",
    "斌",
    "鹏",
    "强",
    "波",
    "刚",
    "伟",
    "杰",
    "超",
    "峰",
    "亮",
    "辉",
)
FEMALE_NAMES = (
    "秀英",
    "丽华",
    "淑芳",
    "晓燕",
    "红梅",
    "海燕",
    "玉兰",
    "春玲",
    "雪梅",
    "丽娟",
    "桂芝",
    "凤霞",
    "静",
    "敏",
    "艳",
    "萍",
    "娟",
    "芳",
    "莉",
    "颖",
)


# --- How people score -----------------------------------------------------------------------------

DIMENSIONS = ("theory", "professional", "responsibility")
# Two deputies are clearly weaker, so that last year's results show a 基本称职 grade and warning-talk flags.
WEAK = {"weak": 6.55, "weak2": 7.0}
# Raters are not all alike: self-ratings run high, superiors and the panel a little strict, peers a little lenient.
# By group code; a group not named here rates level.
GROUP_SHIFT = {"self": 0.4, "superior": -0.15, "leader": -0.15, "panel": -0.1, "peer": 0.1}
COMMENTS = {
    Vote.EXCELLENT: (
        "工作思路清晰，带头作用突出。",
        "抓安全生产有办法，职工认可度高。",
        "敢于担当，攻坚克难成效明显。",
        "注水井治理见了实效，产量稳住了。",
        "经常到井站一线，职工有事愿意找他。",
        "新井投产组织得好，节点一个没耽误。",
        "带队伍有耐心，几个年轻技术员成长很快。",
    ),
    Vote.COMPETENT: (
        "工作扎实，履职尽责。",
        "业务熟练，建议加强理论学习。",
        "希望多深入基层一线，多听职工意见。",
        "分管工作总体平稳，创新举措还可以再多一些。",
        "会议部署多，落实检查可以再跟紧一点。",
        "成本控制做得细，安全检查希望更常态化。",
        "对外协调能力强，班子内部沟通可再加强。",
    ),
    Vote.BASIC: (
        "工作主动性不够，部分任务推进较慢。",
        "分管领域问题整改不够及时。",
        "与职工沟通较少，服务意识有待加强。",
        "计划多、落地少，年初定的几项工作还没见效果。",
        "遇到难题习惯往上交，担当精神需要加强。",
    ),
    Vote.INCOMPETENT: (
        "履职不到位，分管工作多次出现问题。",
        "安全隐患整改拖延，职工意见较大。",
    ),
}
TEAM_COMMENTS = (
    "班子团结协作好，凝聚力强。",
    "班子整体执行力强，生产指标完成较好。",
    "建议班子加强后备人才培养。",
    "班子分工明确，但跨部门配合还有堵点。",
    "希望班子多开职工座谈会，政策解释再到位些。",
    "一年来井站环境和倒班条件改善明显，职工认可。",
)
