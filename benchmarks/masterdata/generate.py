"""A labelled data set of companies and persons as several source systems type them.

Each real-world entity gets one to four source records, one per system, with the noise
real systems carry (rates below, per source record after the first):

========================  ======  ==========================================================
noise                     rate    example
========================  ======  ==========================================================
legal-form variant        always  有限公司 / 有限责任公司 / 股份有限公司 / 集团; Co., Ltd. / Inc. / Corp.
place / bracket variant   always  上海明辉贸易有限公司 / 明辉贸易(上海)有限公司 / 明辉贸易（上海）有限公司
traditional characters    15 %    明輝貿易（上海）有限公司
typo in the name          10 %    one character replaced (CN) or two letters swapped (EN)
abbreviation              15 %    industry word dropped (华远科技 → 华远), Technology → Tech
tax id missing            35 %    (and 5 % mistyped: fails its check digit, so not a key)
phone missing / re-keyed  30 % /  138 0013 8000 · +86-138-0013-8000 · 0086 13800138000
                          always
e-mail missing            40 %
family/given swapped      20 %    persons: "Smith John"; names typed with a title
birth date day/month      5 %     persons
========================  ======  ==========================================================

Distinct entities are made hard on purpose: 15 % of companies share their brand with
another company, always in another city (a name is registered once per registration
place, so the same name elsewhere is a different company) and in half of them with the
same industry too, so ``北京明辉贸易`` and ``上海明辉贸易`` are two companies whose names
differ only by the place (and not at all once a system leaves the place out); English
companies sharing a brand share its e-mail domain. Every other brand is drawn once:
brands are unique unless shared on purpose. Person names are drawn from small pools so
namesakes are common (they differ in birth date, phone and e-mail).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import opencc

from hub.masterdata.normalise import USCC_CHARS, uscc_check_char

SYSTEMS = ("crm", "erp", "srm", "wms")
CN_BRAND_CHARS = ("明辉华远南方西湖前海永固森林精工快达舒适金鼎宏达东方恒信瑞丰鑫源天成博通嘉禾"
                  "海纳新宇腾飞盛世龙腾凯旋正泰安康百川汇丰联创卓越同德润泽美佳鸿运晨光万通"
                  "星河灿烂锦绣云峰雅诚信义和谐昌隆富贵祥瑞德顺兴旺振中亿家乐友宝利盈欣荣升"
                  "立群力创意秀丽蓝天白鹤青松翠竹紫光银河朝阳红星")
CN_INDUSTRIES = ("贸易", "科技", "实业", "电子", "家居", "五金制品", "板材", "金属", "物流", "机械", "食品", "化工")
CN_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司", "有限公司")
CITIES = (("上海", "Shanghai"), ("北京", "Beijing"), ("广州", "Guangzhou"), ("深圳", "Shenzhen"),
          ("杭州", "Hangzhou"), ("苏州", "Suzhou"), ("南京", "Nanjing"), ("宁波", "Ningbo"), ("成都", "Chengdu"),
          ("武汉", "Wuhan"), ("东莞", "Dongguan"), ("昆山", "Kunshan"))
EN_SYLLABLES = ("ac", "me", "lo", "ra", "vin", "tor", "bel", "ka", "zen", "mar", "tek", "sol", "nor", "vel",
                "dra", "qui", "pon", "sta", "lux", "gal", "or", "ion", "ber", "tan", "fex", "rio", "sen", "ko",
                "lin", "das", "mo", "tri", "hal", "ven", "cor", "pri", "as", "nu", "bra", "del", "fi", "gro")
EN_INDUSTRIES = (("Trading", "Trading"), ("Technology", "Tech"), ("International", "Intl"),
                 ("Manufacturing", "Mfg"), ("Electronics", "Elec"), ("Logistics", "Logistics"),
                 ("Industrial", "Ind"), ("Foods", "Foods"))
EN_FORMS = ("Co., Ltd.", "Ltd", "Inc.", "Corp.", "Company Limited", "Co. Ltd", "Limited", "Corporation")
CN_FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
CN_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞斌宇浩凯鑫婷雪琳晨阳欣怡子涵梓轩"
EN_GIVEN = ("John", "Mary", "James", "Linda", "Robert", "Susan", "Michael", "Karen", "David", "Lisa", "Daniel",
            "Emma", "Thomas", "Laura", "Peter", "Anna", "Mark", "Julia", "Paul", "Sarah", "Kevin", "Helen")
EN_FAMILY = ("Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Moore", "Taylor", "Anderson", "Thomas",
             "Jackson", "White", "Harris", "Martin", "Thompson", "Garcia", "Clark", "Lewis", "Walker", "Young",
             "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell")

_S2T = opencc.OpenCC("s2t")


@dataclass
class Rates:
    traditional: float = 0.15
    typo: float = 0.10
    abbreviation: float = 0.15
    tax_missing: float = 0.35
    tax_typo: float = 0.05
    phone_missing: float = 0.30
    email_missing: float = 0.40
    swapped: float = 0.20
    date_swap: float = 0.05
    shared_brand: float = 0.15


def _uscc(rng: random.Random) -> str:
    body = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + "".join(
        rng.choice(USCC_CHARS) for _ in range(9))
    return body + uscc_check_char(body)


def _mobile(rng: random.Random) -> str:
    return rng.choice(("138", "139", "186", "135", "150", "177")) + "".join(rng.choice("0123456789") for _ in range(8))


def _rekey(rng: random.Random, mobile: str) -> str:
    a, b, c = mobile[:3], mobile[3:7], mobile[7:]
    return rng.choice((f"{a} {b} {c}", f"+86-{a}-{b}-{c}", f"0086 {mobile}", mobile, f"(+86) {a}{b}{c}",
                       f"{a}-{b}-{c}"))


def _sizes(rng: random.Random) -> int:
    return rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0]


def companies(n_records: int, seed: int = 1, rates: Rates | None = None) -> Iterator[dict[str, Any]]:
    """About ``n_records`` labelled customer records (``_truth`` is the real entity)."""
    rng, r = random.Random(seed), rates or Rates()
    made = entity = 0
    brands: list[tuple[str, bool, int, Any]] = []
    used: set[str] = set()
    while made < n_records:
        entity += 1
        chinese = rng.random() < 0.75
        city = rng.randrange(len(CITIES))
        shared = brands and rng.random() < r.shared_brand
        if shared:
            brand, chinese, other_city, other_industry = rng.choice(brands)
            city = rng.choice([c for c in range(len(CITIES)) if c != other_city])
            industries = CN_INDUSTRIES if chinese else EN_INDUSTRIES
            industry = other_industry if rng.random() < 0.5 else rng.choice(
                [i for i in industries if i != other_industry])
        else:
            brand = _new_brand(rng, chinese, used)
            industry = rng.choice(CN_INDUSTRIES if chinese else EN_INDUSTRIES)
        brands.append((brand, chinese, city, industry))
        city_cn, city_en = CITIES[city]
        tax, mobile = _uscc(rng), _mobile(rng)
        domain = f"{brand.lower() if not chinese else 'c' + str(entity)}.com"
        email = f"{rng.choice(('sales', 'info', 'contact', 'buy'))}@{domain}"
        for i, system in enumerate(rng.sample(SYSTEMS, _sizes(rng))):
            if chinese:
                name = _cn_company(rng, r, brand, industry, city_cn, first=i == 0)
            else:
                name = _en_company(rng, r, brand, industry, city_en, first=i == 0)
            rec: dict[str, Any] = {"system": system, "id": f"{system.upper()}-{entity}-{i}", "name": name,
                                   "_truth": f"c{entity}"}
            if i == 0 or rng.random() > r.tax_missing:
                rec["tax_id"] = _typo_code(rng, tax) if i and rng.random() < r.tax_typo else tax
            if i == 0 or rng.random() > r.phone_missing:
                rec["phone"] = _rekey(rng, mobile)
            if rng.random() > r.email_missing:
                rec["email"] = email.upper() if rng.random() < 0.2 else email
            if rng.random() < 0.5:
                rec["city"] = city_cn + rng.choice(("", "市")) if chinese else city_en
            yield rec
            made += 1


def _new_brand(rng: random.Random, chinese: bool, used: set[str]) -> str:
    """A brand no company has yet (only a deliberately shared brand is shared); longer ones once short ones run out."""
    for attempt in itertools.count():
        longer = attempt // 20  # a million records exhaust the two- and three-syllable brands
        if chinese:
            brand = "".join(rng.sample(CN_BRAND_CHARS, 2)) + "".join(
                rng.choice(CN_BRAND_CHARS) for _ in range(longer + (rng.random() < 0.4)))
        else:
            brand = "".join(rng.choice(EN_SYLLABLES) for _ in range(rng.choice((2, 3)) + longer)).capitalize()
        if brand.casefold() not in used:
            used.add(brand.casefold())
            return brand


def _cn_company(rng: random.Random, r: Rates, brand: str, industry: str, city: str, first: bool) -> str:
    core = brand
    if not first and rng.random() < r.typo:
        pos = rng.randrange(len(core))
        core = core[:pos] + rng.choice(CN_BRAND_CHARS) + core[pos + 1:]
    ind = "" if (not first and rng.random() < r.abbreviation) else industry
    form = rng.choice(CN_FORMS)
    style = rng.randrange(4)
    name = {0: f"{city}{core}{ind}{form}", 1: f"{core}{ind}({city}){form}", 2: f"{core}{ind}（{city}）{form}",
            3: f"{core}{ind}{form}"}[style]
    if not first and rng.random() < r.traditional:
        name = _S2T.convert(name)
    return name


def _en_company(rng: random.Random, r: Rates, brand: str, industry: tuple[str, str], city: str, first: bool) -> str:
    core = brand
    if not first and rng.random() < r.typo and len(core) > 3:
        pos = rng.randrange(1, len(core) - 1)
        core = core[:pos] + core[pos + 1] + core[pos] + core[pos + 2:]
    ind = industry[1] if (not first and rng.random() < r.abbreviation) else industry[0]
    form = rng.choice(EN_FORMS)
    name = rng.choice((f"{core} {ind} {form}", f"{core} {ind} ({city}) {form}", f"{core.upper()} {ind.upper()} {form}"))
    return name


def _typo_code(rng: random.Random, code: str) -> str:
    pos = rng.randrange(2, 17)
    return code[:pos] + rng.choice([c for c in "0123456789" if c != code[pos]]) + code[pos + 1:]


def persons(n_records: int, seed: int = 2, rates: Rates | None = None) -> Iterator[dict[str, Any]]:
    """About ``n_records`` labelled person records (contacts and employees)."""
    rng, r = random.Random(seed), rates or Rates()
    made = entity = 0
    systems = ("crm", "erp", "oa", "srm")
    while made < n_records:
        entity += 1
        chinese = rng.random() < 0.7
        if chinese:
            family, given = rng.choice(CN_FAMILY), "".join(rng.choice(CN_GIVEN) for _ in range(rng.choice((1, 2))))
        else:
            family, given = rng.choice(EN_FAMILY), rng.choice(EN_GIVEN)
        birth = f"{rng.randint(1960, 2003)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        mobile = _mobile(rng)
        email = f"{(given + '.' + family).lower() if not chinese else 'p' + str(entity)}{rng.randint(1, 99)}@example.com"
        city_cn, city_en = rng.choice(CITIES)
        for i, system in enumerate(rng.sample(systems, _sizes(rng))):
            rec: dict[str, Any] = {"system": system, "id": f"{system.upper()}-P{entity}-{i}", "_truth": f"p{entity}"}
            g = given
            if i and rng.random() < r.typo:
                g = (rng.choice(CN_GIVEN) + given[1:]) if chinese else (given[:-2] + given[-1] + given[-2])
            if chinese:
                name = family + g
                if i and rng.random() < r.traditional:
                    name = _S2T.convert(name)
                rec["name"] = name if rng.random() > 0.2 else name + rng.choice(("先生", "女士"))
            elif i and rng.random() < r.swapped:
                rec["family_name"], rec["given_name"] = g, family
            else:
                rec["family_name"], rec["given_name"] = family, g
            if i == 0 or rng.random() > 0.25:
                y, m, d = birth.split("-")
                rec["birth_date"] = f"{y}-{d}-{m}" if i and rng.random() < r.date_swap and int(d) <= 12 else \
                    rng.choice((birth, birth.replace("-", "/"), f"{y}年{m}月{d}日"))
            if i == 0 or rng.random() > r.phone_missing:
                rec["phone"] = _rekey(rng, mobile)
            if rng.random() > r.email_missing:
                rec["email"] = email
            rec["city"] = city_cn if chinese else city_en
            yield rec
            made += 1
