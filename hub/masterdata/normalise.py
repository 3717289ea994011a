"""Normalisers: one raw value → the form records are compared and blocked on.

Each normaliser takes a string and returns a string, or ``None`` when nothing usable is
left. Chinese text is folded to half-width (NFKC) and simplified characters (OpenCC), so
``明輝貿易（上海）有限公司`` and ``明辉贸易(上海)有限公司`` normalise alike. Phones are
parsed by libphonenumber (``phonenumbers``) as Chinese numbers unless they carry a country
code. Codes are checked, not guessed: :func:`uscc_valid` is the GB 32100-2015 check digit
and :func:`national_id_valid` the GB 11643-1999 one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache

import opencc
import phonenumbers
from pypinyin import Style, lazy_pinyin

DEFAULT_PHONE_REGION = "CN"
CACHE_SIZE = 4096

_T2S = opencc.OpenCC("t2s")

PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)
CITIES = (
    "广州", "深圳", "杭州", "南京", "苏州", "无锡", "常州", "宁波", "温州", "嘉兴", "绍兴", "金华", "台州",
    "合肥", "福州", "厦门", "泉州", "南昌", "济南", "青岛", "烟台", "潍坊", "郑州", "洛阳", "武汉", "长沙",
    "东莞", "佛山", "珠海", "中山", "惠州", "汕头", "成都", "贵阳", "昆明", "西安", "兰州", "沈阳", "大连",
    "长春", "哈尔滨", "石家庄", "太原", "南宁", "海口", "昆山", "义乌", "扬州", "徐州", "南通", "唐山",
)
PLACE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
PLACES_LATIN = frozenset({
    "beijing", "shanghai", "tianjin", "chongqing", "guangzhou", "shenzhen", "hangzhou", "nanjing", "suzhou",
    "ningbo", "xiamen", "wuhan", "chengdu", "xian", "qingdao", "dongguan", "kunshan", "jiangsu", "zhejiang",
    "guangdong", "shandong", "hong kong", "hongkong", "china", "prc",
})
CN_LEGAL_FORMS = (
    "股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "股份公司", "集团公司",
    "分公司", "总公司", "公司", "集团", "有限", "厂",
)
EN_LEGAL_FORMS = frozenset({
    "co", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "llc", "plc", "gmbh",
    "ag", "sa", "bv", "pte", "pty", "group", "holdings",
})
EN_ABBREVIATIONS = {
    "intl": "international", "int'l": "international", "tech": "technology", "technologies": "technology",
    "mfg": "manufacturing", "mfr": "manufacturing", "ind": "industrial", "inds": "industries",
    "elec": "electronics", "electronic": "electronics", "bros": "brothers", "svc": "services",
    "svcs": "services", "&": "and", "dept": "department", "mgmt": "management", "eng": "engineering",
    "trading": "trading", "trade": "trading",
}
CN_INDUSTRY_WORDS = (
    "信息技术", "科技", "技术", "贸易", "商贸", "工贸", "实业", "发展", "国际", "电子", "电器", "机械", "制造",
    "制品", "五金", "家居", "家具", "板材", "金属", "工业", "物流", "供应链", "文创", "智造", "网络", "软件",
    "生物", "医药", "化工", "材料", "建材", "食品", "服饰", "投资", "咨询", "服务", "管理", "工程", "设备",
    "椅业", "塑料", "包装", "印刷", "纺织", "汽车", "配件", "精工", "新能源", "能源", "环保", "控股",
)
PERSON_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "先生", "女士", "小姐", "博士", "经理", "总"})

_BRACKETS = re.compile(r"[(\[【〔]([^)\]】〕]*)[)\]】〕]")
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z][a-z']*")
_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|extension|x|#)\s*\d{1,6}\s*$", re.IGNORECASE)
_LANDLINE_EXT = re.compile(r"^(\+?[\d\s()]*0\d{2,3}[\s-]+\d{7,8})[\s-]+(\d{1,5})$")

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
NATIONAL_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
NATIONAL_ID_CHECK = "10X98765432"

_PLACE_PREFIXES = tuple(sorted((p + s for p in PROVINCES + CITIES for s in PLACE_SUFFIXES + ("",)),
                               key=len, reverse=True))
_PLACES_CN = frozenset(_PLACE_PREFIXES)


def fold(value: str) -> str:
    """Half-width, simplified, lower-case, single-spaced: the base of every text normaliser."""
    text = unicodedata.normalize("NFKC", value)
    if _CJK.search(text) or any("\u3400" <= ch <= "\u9fff" for ch in text):
        text = _T2S.convert(text)
    return _SPACES.sub(" ", text.casefold()).strip()


@lru_cache(maxsize=CACHE_SIZE)
def text(value: str) -> str | None:
    return fold(value) or None


@lru_cache(maxsize=CACHE_SIZE)
def company_name(value: str) -> str | None:
    """A company's name without places, legal forms, punctuation or spacing.

    ``上海明辉贸易有限公司``, ``明辉贸易(上海)有限公司`` and ``明輝貿易（上海）有限公司`` → ``明辉贸易``;
    ``Minghui Trading (Shanghai) Co., Ltd.`` → ``minghui trading``.
    """
    name = fold(value)
    name = _BRACKETS.sub(lambda m: " " if _is_place_or_form(m.group(1)) else f" {m.group(1)} ", name)
    if _CJK.search(name):
        compact = name.replace(" ", "")
        for _ in range(3):  # 上海市浦东… / …集团有限公司: strip repeatedly
            before = compact
            compact = _strip_place_prefix(compact)
            compact = _strip_legal_suffix(compact)
            if compact == before:
                break
        core = _NOT_WORD.sub("", compact)
        return core or None
    words = [EN_ABBREVIATIONS.get(w, w) for w in _NOT_WORD.sub(" ", name.replace("&", " and ")).split()]
    while words and (words[-1] in EN_LEGAL_FORMS or words[-1] in PLACES_LATIN):
        words.pop()
    words = [w for w in words if w not in EN_LEGAL_FORMS or len(words) == 1]
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words) or None


@lru_cache(maxsize=CACHE_SIZE)
def company_core(value: str) -> str | None:
    """:func:`company_name` without industry words: ``北京华远科技`` and ``华远`` share ``华远``."""
    name = company_name(value)
    return brand(name) if name else None


@lru_cache(maxsize=CACHE_SIZE)
def brand(name: str) -> str:
    """A normalised Chinese company name without its trailing industry words, however many:
    ``紫信五金制品`` → ``紫信`` (``制品`` then ``五金``). Latin names pass through."""
    if not _CJK.search(name):
        return name
    core = name
    while True:
        word = next((w for w in CN_INDUSTRY_WORDS if len(core) > len(w) + 1 and core.endswith(w)), None)
        if word is None:
            return core
        core = core[: -len(word)]


@lru_cache(maxsize=CACHE_SIZE)
def person_name(value: str) -> str | None:
    """Titles dropped; Chinese names without spaces; Latin names as sorted words (swapped order agrees)."""
    name = fold(value)
    name = _NOT_WORD.sub(" ", name)
    words = [w for w in name.split() if w not in PERSON_TITLES]
    if not words:
        return None
    if all(_CJK.search(w) for w in words):
        joined = "".join(words)
        for title in ("先生", "女士", "小姐", "经理"):
            if len(joined) > len(title) + 1 and joined.endswith(title):
                joined = joined[: -len(title)]
        return joined
    return " ".join(sorted(words))


@lru_cache(maxsize=CACHE_SIZE)
def phone(value: str) -> str | None:
    """E.164 (``+8613800138000``): spaces, dashes, brackets, ``+86``/``0086`` and extensions ignored."""
    raw = unicodedata.normalize("NFKC", value).strip()
    raw = _EXTENSION.sub("", raw)
    landline = _LANDLINE_EXT.match(raw)
    if landline:
        raw = landline.group(1)
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", raw)
        return digits or None
    if not phonenumbers.is_possible_number(number):
        digits = re.sub(r"\D", "", raw)
        return digits or None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=CACHE_SIZE)
def email(value: str) -> str | None:
    address = unicodedata.normalize("NFKC", value).strip().casefold()
    address = address.removeprefix("mailto:")
    return address if "@" in address and "." in address.rsplit("@", 1)[-1] else None


@lru_cache(maxsize=CACHE_SIZE)
def code(value: str) -> str | None:
    """Upper-case letters and digits only: ``9131-0000 mA1k`` → ``91310000MA1K``."""
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", value).upper()) or None


def tax_id(value: str) -> str | None:
    """A tax id as a code; the letters I, O, Z, S, V a USCC never uses are read as the digits they resemble."""
    folded = code(value)
    if folded and len(folded) == 18 and not uscc_valid(folded):
        fixed = folded.translate(str.maketrans("IOZSV", "10257"))
        if uscc_valid(fixed):
            return fixed
    return folded


@lru_cache(maxsize=CACHE_SIZE)
def address(value: str) -> str | None:
    folded = fold(value)
    return _NOT_WORD.sub("", folded) or None


@lru_cache(maxsize=CACHE_SIZE)
def postcode(value: str) -> str | None:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value)).upper() or None


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%d/%m/%Y", "%d.%m.%Y", "%Y年%m月%d日")


@lru_cache(maxsize=CACHE_SIZE)
def iso_date(value: str) -> str | None:
    raw = unicodedata.normalize("NFKC", value).strip()
    raw = raw.split("T", 1)[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
    return None


@lru_cache(maxsize=CACHE_SIZE)
def company_place(value: str) -> str | None:
    """The place a company name or a city field names, in one script: ``上海明辉…``, ``明辉(上海)…``,
    ``Minghui (Shanghai) Co.`` and ``上海市`` → ``shanghai``.

    Two companies may share a name in different registration areas, never in the same one:
    the place is evidence of its own once the name has been stripped of it.
    """
    name = fold(value)
    for bracket in _BRACKETS.finditer(name):
        found = _place_in(bracket.group(1).strip())
        if found:
            return found
    return _place_in(name)


def place(value: str) -> str | None:
    """A province or city without its 省/市 suffix: ``上海市`` → ``上海``."""
    folded = fold(value).replace(" ", "")
    for suffix in PLACE_SUFFIXES:
        if len(folded) > len(suffix) + 1 and folded.endswith(suffix):
            return folded[: -len(suffix)]
    return folded or None


NORMALISERS: dict[str, Callable[[str], str | None]] = {
    "text": text, "company_name": company_name, "company_core": company_core, "person_name": person_name,
    "phone": phone, "email": email, "code": code, "tax_id": tax_id, "address": address, "postcode": postcode,
    "date": iso_date, "place": place, "company_place": company_place,
}


_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_CHARS)}


@lru_cache(maxsize=CACHE_SIZE)
def uscc_valid(value: str | None) -> bool:
    """GB 32100-2015: 18 characters from the 31-character set, the last one a mod-31 check digit."""
    if not value or len(value) != 18 or any(ch not in _USCC_VALUE for ch in value):
        return False
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(value[:17], USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31] == value[17]


def uscc_check_char(first17: str) -> str:
    """The check character completing a USCC's first 17 characters (used to make test data)."""
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def national_id_valid(value: str | None) -> bool:
    """GB 11643-1999: 17 digits and a mod-11 check character (0-9 or X), with a real birth date."""
    if not value or len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    total = sum(int(ch) * w for ch, w in zip(value[:17], NATIONAL_ID_WEIGHTS, strict=True))
    return NATIONAL_ID_CHECK[total % 11] == value[17].upper()


CHECKS: dict[str, Callable[[str | None], bool]] = {
    "any": lambda v: bool(v), "uscc": uscc_valid, "national_id": national_id_valid,
    "email": lambda v: bool(v and "@" in v),
}


@lru_cache(maxsize=CACHE_SIZE)
def pinyin(value: str) -> str:
    """Toneless pinyin syllables joined by spaces; Latin text passes through."""
    return " ".join(lazy_pinyin(value, errors="default"))


@lru_cache(maxsize=CACHE_SIZE)
def pinyin_initials(value: str) -> str:
    return "".join(p[:1] for p in lazy_pinyin(value, style=Style.FIRST_LETTER, errors="ignore"))


_PLACES_LATIN_KEYS = frozenset({p.replace(" ", "") for p in PLACES_LATIN} - {"china", "prc"}) | frozenset(
    pinyin(p).replace(" ", "") for p in PROVINCES + CITIES)


def has_cjk(value: str) -> bool:
    return bool(_CJK.search(value))


def latin_words(value: str) -> list[str]:
    return _LATIN_WORD.findall(value)


def _is_place_or_form(inner: str) -> bool:
    inner = inner.strip()
    if not inner:
        return True
    if inner in _PLACES_CN or inner in PLACES_LATIN or inner in CN_LEGAL_FORMS:
        return True
    return inner.startswith(_PLACE_PREFIXES) and len(inner) <= 6


def _place_in(text_: str) -> str | None:
    """The first known place at the start of Chinese text, or any Latin word naming a place, as pinyin."""
    if _CJK.search(text_):
        compact = _NOT_WORD.sub("", text_)
        if not compact.startswith(_PLACE_PREFIXES):
            return None
        prefix = next(p for p in _PLACE_PREFIXES if compact.startswith(p))
        rest = compact[len(prefix):]
        if rest.startswith(_PLACE_PREFIXES):  # 广东省深圳市…: the city is the finer place
            prefix = next(p for p in _PLACE_PREFIXES if rest.startswith(p))
        return _place_key(prefix)
    words = _NOT_WORD.sub(" ", text_).split()
    for a, b in zip(words, [*words[1:], ""], strict=True):
        if f"{a}{b}" in _PLACES_LATIN_KEYS:
            return f"{a}{b}"
        if a in _PLACES_LATIN_KEYS:
            return a
    return None


def _place_key(place_: str) -> str:
    for suffix in PLACE_SUFFIXES:
        if len(place_) > len(suffix) + 1 and place_.endswith(suffix):
            place_ = place_[: -len(suffix)]
            break
    return pinyin(place_).replace(" ", "")


def _strip_place_prefix(name: str) -> str:
    if not name.startswith(_PLACE_PREFIXES):
        return name
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            return name[len(prefix):]
    return name


def _strip_legal_suffix(name: str) -> str:
    for form in CN_LEGAL_FORMS:
        if name.endswith(form) and len(name) > len(form) + 1:
            return name[: -len(form)]
    return name
