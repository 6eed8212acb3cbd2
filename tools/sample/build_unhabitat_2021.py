#!/usr/bin/env python3
"""Build the bundled sample ledger data/samples/unhabitat-2021/.

The ledger reproduces every figure of the UN-Habitat Executive Director's report
HSP/EB.2021/12 (resource mobilization, see /work/shared/SEED-FACTS.md) when its
report is computed as docs/data-format.md describes.

The script is deterministic and uses only the standard library:

    python3 tools/sample/build_unhabitat_2021.py

1. builds donors, funds, targets, appeals, events, rates and entries in memory;
   a few "balancing" entries (USD receipts, pledges or expectations of
   anonymous-ish size) are computed so that each figure lands at the centre of
   its rounding interval;
2. writes the CSV files (UTF-8, header row, "\\n" line endings);
3. reads the written files back, checks the ledger rules of docs/data-format.md,
   recomputes every report figure from the files alone (exact decimal
   arithmetic: each entry's USD value = amount / units_per_usd of its value
   date's month, rounded half to even to the cent; sums over stored cents) and
   asserts each against the source document, printing them.

Exit status 0 means every figure matches.
"""

import csv
import datetime
import os
import re
import sys
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "data", "samples", "unhabitat-2021")

# ---------------------------------------------------------------------------
# Format (docs/data-format.md)
# ---------------------------------------------------------------------------

DONOR_COLUMNS = ["id", "name", "type", "country",
                 "name_ar", "name_zh", "name_fr", "name_ru", "name_es"]
FUND_COLUMNS = ["id", "name", "category"]
TARGET_COLUMNS = ["fund", "year_from", "year_to", "amount_usd", "decided_on", "note"]
APPEAL_COLUMNS = ["id", "name", "requirement_usd", "countries", "launched_on"]
EVENT_COLUMNS = ["id", "name", "held_on"]
RATE_COLUMNS = ["currency", "month", "units_per_usd"]
ENTRY_COLUMNS = ["id", "kind", "donor", "fund", "amount", "currency", "value_date",
                 "recorded_at", "attributed_year", "region", "country", "programme",
                 "appeal", "channel", "event", "settles", "reverses", "probability",
                 "note"]

REQUIRED = {
    "donors.csv": {"id", "name", "type", "country"},
    "funds.csv": {"id", "name", "category"},
    "targets.csv": {"fund", "year_from", "year_to", "amount_usd", "decided_on"},
    "appeals.csv": {"id", "name", "requirement_usd", "launched_on"},
    "events.csv": {"id", "name", "held_on"},
    "rates.csv": {"currency", "month", "units_per_usd"},
    "entries.csv": {"id", "kind", "donor", "fund", "amount", "currency", "value_date"},
}
ALLOWED = {
    "donors.csv": set(DONOR_COLUMNS),
    "funds.csv": set(FUND_COLUMNS),
    "targets.csv": set(TARGET_COLUMNS),
    "appeals.csv": set(APPEAL_COLUMNS),
    "events.csv": set(EVENT_COLUMNS),
    "rates.csv": set(RATE_COLUMNS),
    "entries.csv": set(ENTRY_COLUMNS),
}

DONOR_TYPES = {"member_state", "regional_organization", "un_entity", "multilateral_fund",
               "foundation", "private_sector", "subnational_government", "individual",
               "other"}
FUND_CATEGORIES = {"core", "earmarked", "technical_cooperation"}
KINDS = {"pledge", "receipt", "expected", "write_off", "reversal"}
REGIONS = {"africa", "arab_states", "asia_pacific", "europe", "latin_america_caribbean",
           "global"}
CHANNELS = {"new_contribution", "reprogrammed", "internal_emergency_fund"}
EXPONENT = {"USD": 2, "EUR": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2, "GBP": 2,
            "JPY": 0, "KRW": 0}
ID_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
DECIMAL_RE = re.compile(r"^\d+(\.\d+)?$")

CORE, EARMARKED, TC = "foundation_core", "foundation_earmarked", "technical_cooperation"

# ---------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------

FUNDS = [
    (CORE, "Foundation non-earmarked", "core"),
    (EARMARKED, "Foundation earmarked", "earmarked"),
    (TC, "Technical cooperation", "technical_cooperation"),
]

# id, name, type, country, ar, zh, fr, ru, es
DONORS = [
    ("mexico", "Mexico", "member_state", "MEX",
     "المكسيك", "墨西哥", "Mexique", "Мексика", "México"),
    ("china", "China", "member_state", "CHN",
     "الصين", "中国", "Chine", "Китай", "China"),
    ("south_africa", "South Africa", "member_state", "ZAF",
     "جنوب أفريقيا", "南非", "Afrique du Sud", "Южная Африка", "Sudáfrica"),
    ("egypt", "Egypt", "member_state", "EGY",
     "مصر", "埃及", "Égypte", "Египет", "Egipto"),
    ("philippines", "Philippines", "member_state", "PHL",
     "الفلبين", "菲律宾", "Philippines", "Филиппины", "Filipinas"),
    ("japan", "Japan", "member_state", "JPN",
     "اليابان", "日本", "Japon", "Япония", "Japón"),
    ("barbados", "Barbados", "member_state", "BRB",
     "بربادوس", "巴巴多斯", "Barbade", "Барбадос", "Barbados"),
    ("mali", "Mali", "member_state", "MLI",
     "مالي", "马里", "Mali", "Мали", "Malí"),
    ("algeria", "Algeria", "member_state", "DZA",
     "الجزائر", "阿尔及利亚", "Algérie", "Алжир", "Argelia"),
    ("malawi", "Malawi", "member_state", "MWI",
     "ملاوي", "马拉维", "Malawi", "Малави", "Malawi"),
    ("switzerland", "Switzerland", "member_state", "CHE",
     "سويسرا", "瑞士", "Suisse", "Швейцария", "Suiza"),
    ("poland", "Poland", "member_state", "POL",
     "بولندا", "波兰", "Pologne", "Польша", "Polonia"),
    ("kuwait", "Kuwait", "member_state", "KWT",
     "الكويت", "科威特", "Koweït", "Кувейт", "Kuwait"),
    ("jordan", "Jordan", "member_state", "JOR",
     "الأردن", "约旦", "Jordanie", "Иордания", "Jordania"),
    ("european_union", "European Union", "regional_organization", "",
     "الاتحاد الأوروبي", "欧洲联盟", "Union européenne", "Европейский союз", "Unión Europea"),
    ("israel", "Israel", "member_state", "ISR",
     "إسرائيل", "以色列", "Israël", "Израиль", "Israel"),
    ("italy", "Italy", "member_state", "ITA",
     "إيطاليا", "意大利", "Italie", "Италия", "Italia"),
    ("ethiopia", "Ethiopia", "member_state", "ETH",
     "إثيوبيا", "埃塞俄比亚", "Éthiopie", "Эфиопия", "Etiopía"),
    ("spain", "Spain", "member_state", "ESP",
     "إسبانيا", "西班牙", "Espagne", "Испания", "España"),
    ("denmark", "Denmark", "member_state", "DNK",
     "الدانمرك", "丹麦", "Danemark", "Дания", "Dinamarca"),
    ("korea", "Republic of Korea", "member_state", "KOR",
     "جمهورية كوريا", "大韩民国", "République de Corée", "Республика Корея",
     "República de Corea"),
    ("india", "India", "member_state", "IND",
     "الهند", "印度", "Inde", "Индия", "India"),
    ("sweden", "Sweden", "member_state", "SWE",
     "السويد", "瑞典", "Suède", "Швеция", "Suecia"),
    ("germany", "Germany", "member_state", "DEU",
     "ألمانيا", "德国", "Allemagne", "Германия", "Alemania"),
    ("uae", "United Arab Emirates", "member_state", "ARE",
     "الإمارات العربية المتحدة", "阿拉伯联合酋长国", "Émirats arabes unis",
     "Объединенные Арабские Эмираты", "Emiratos Árabes Unidos"),
    ("morocco", "Morocco", "member_state", "MAR",
     "المغرب", "摩洛哥", "Maroc", "Марокко", "Marruecos"),
    ("united_kingdom", "United Kingdom", "member_state", "GBR",
     "المملكة المتحدة", "大不列颠及北爱尔兰联合王国", "Royaume-Uni", "Соединенное Королевство",
     "Reino Unido"),
    ("norway", "Norway", "member_state", "NOR",
     "النرويج", "挪威", "Norvège", "Норвегия", "Noruega"),
    ("qatar", "Qatar", "member_state", "QAT",
     "قطر", "卡塔尔", "Qatar", "Катар", "Qatar"),
    ("kenya", "Kenya", "member_state", "KEN",
     "كينيا", "肯尼亚", "Kenya", "Кения", "Kenya"),
    ("france", "France", "member_state", "FRA",
     "فرنسا", "法国", "France", "Франция", "Francia"),
    ("netherlands", "Netherlands", "member_state", "NLD",
     "هولندا", "荷兰", "Pays-Bas", "Нидерланды", "Países Bajos"),
    ("saudi_arabia", "Saudi Arabia", "member_state", "SAU",
     "المملكة العربية السعودية", "沙特阿拉伯", "Arabie saoudite", "Саудовская Аравия",
     "Arabia Saudita"),
    ("nigeria", "Nigeria", "member_state", "NGA",
     "نيجيريا", "尼日利亚", "Nigéria", "Нигерия", "Nigeria"),
    ("colombia", "Colombia", "member_state", "COL",
     "كولومبيا", "哥伦比亚", "Colombie", "Колумбия", "Colombia"),
    ("sri_lanka", "Sri Lanka", "member_state", "LKA",
     "سري لانكا", "斯里兰卡", "Sri Lanka", "Шри-Ланка", "Sri Lanka"),
    ("thailand", "Thailand", "member_state", "THA",
     "تايلند", "泰国", "Thaïlande", "Таиланд", "Tailandia"),
    ("indonesia", "Indonesia", "member_state", "IDN",
     "إندونيسيا", "印度尼西亚", "Indonésie", "Индонезия", "Indonesia"),
    ("brazil", "Brazil", "member_state", "BRA",
     "البرازيل", "巴西", "Brésil", "Бразилия", "Brasil"),
    ("bahrain", "Bahrain", "member_state", "BHR",
     "البحرين", "巴林", "Bahreïn", "Бахрейн", "Bahrein"),
    ("uganda", "Uganda", "member_state", "UGA",
     "أوغندا", "乌干达", "Ouganda", "Уганда", "Uganda"),
    ("finland", "Finland", "member_state", "FIN",
     "فنلندا", "芬兰", "Finlande", "Финляндия", "Finlandia"),
    ("canada", "Canada", "member_state", "CAN",
     "كندا", "加拿大", "Canada", "Канада", "Canadá"),
    ("usa", "United States of America", "member_state", "USA",
     "الولايات المتحدة الأمريكية", "美利坚合众国", "États-Unis d'Amérique",
     "Соединенные Штаты Америки", "Estados Unidos de América"),
    ("iraq", "Iraq", "member_state", "IRQ",
     "العراق", "伊拉克", "Iraq", "Ирак", "Iraq"),
    ("un_entities", "UN entities", "un_entity", "",
     "كيانات الأمم المتحدة", "联合国实体", "Entités des Nations Unies",
     "Структуры Организации Объединенных Наций", "Entidades de las Naciones Unidas"),
    ("adaptation_fund", "Adaptation Fund", "multilateral_fund", "",
     "صندوق التكيف", "适应基金", "Fonds pour l'adaptation", "Адаптационный фонд",
     "Fondo de Adaptación"),
    ("gates_foundation", "Bill & Melinda Gates Foundation", "foundation", "USA",
     "مؤسسة بيل وميليندا غيتس", "比尔及梅琳达·盖茨基金会", "Fondation Bill et Melinda Gates",
     "Фонд Билла и Мелинды Гейтс", "Fundación Bill y Melinda Gates"),
    ("block_by_block", "Block by Block Foundation", "foundation", "SWE",
     "مؤسسة بلوك باي بلوك", "逐个街区改善基金会", "Fondation Block by Block",
     "Фонд «Блок за блоком»", "Fundación Block by Block"),
    ("alwaleed", "Alwaleed Philanthropies", "foundation", "SAU",
     "مؤسسة الوليد للإنسانية", "阿尔瓦利德慈善基金会", "Alwaleed Philanthropies",
     "Благотворительный фонд «Аль-Валид»", "Alwaleed Philanthropies"),
    ("awash_welday", "Awash Welday General Contractor", "private_sector", "ETH",
     "أواش ولداي للمقاولات العامة", "Awash Welday General Contractor",
     "Awash Welday General Contractor", "Awash Welday General Contractor",
     "Awash Welday General Contractor"),
    ("alagoas", "Government of Alagoas State", "subnational_government", "BRA",
     "حكومة ولاية ألاغواس", "巴西阿拉戈斯州政府", "Gouvernement de l'État d'Alagoas",
     "Правительство штата Алагоас", "Gobierno del Estado de Alagoas"),
    ("fondation_botnar", "Fondation Botnar", "foundation", "CHE",
     "مؤسسة بوتنار", "博特纳基金会", "Fondation Botnar", "Фонд Ботнар", "Fundación Botnar"),
    ("online_donors", "Online donors (individuals)", "individual", "",
     "المانحون عبر الإنترنت (أفراد)", "在线捐助者（个人）", "Donateurs en ligne (particuliers)",
     "Онлайн-доноры (частные лица)", "Donantes en línea (particulares)"),
    ("anonymous_individual", "Anonymous individual donor", "individual", "",
     "مانح فرد مجهول الهوية", "匿名个人捐助者", "Donateur individuel anonyme",
     "Анонимный частный донор", "Donante particular anónimo"),
    ("unhabitat_emergency_fund", "UN-Habitat internal emergency fund", "other", "",
     "صندوق الطوارئ الداخلي لموئل الأمم المتحدة", "人居署内部应急基金",
     "Fonds interne d'urgence d'ONU-Habitat", "Внутренний чрезвычайный фонд ООН-Хабитат",
     "Fondo interno de emergencia de ONU-Hábitat"),
]

TARGETS = [
    (CORE, 2020, 2023, "109000000", "2019-05-31",
     "Strategic plan 2020-2023, original resource mobilization target for non-earmarked resources"),
    (CORE, 2020, 2020, "18900000", "2019-05-31", "Annual target 2020, strategic plan 2020-2023"),
    (EARMARKED, 2020, 2020, "63300000", "2019-05-31", "Annual target 2020, strategic plan 2020-2023"),
    (TC, 2020, 2020, "147100000", "2019-05-31", "Annual target 2020, strategic plan 2020-2023"),
    (CORE, 2021, 2021, "18900000", "2020-03-31", "Proposed work programme and budget for 2021"),
    (CORE, 2021, 2021, "10000000", "2020-10-29",
     "Executive Board approved the 2021 work programme and budget; core budget cut to USD 10 million"),
    (EARMARKED, 2021, 2021, "43600000", "2020-10-29",
     "Executive Board approved the 2021 work programme and budget"),
    (TC, 2021, 2021, "152900000", "2020-10-29",
     "Executive Board approved the 2021 work programme and budget"),
    (CORE, 2020, 2023, "41000000", "2020-11-02",
     "Revised after the Executive Board's second session of 2020 (October 2020), "
     "aligned with recent income trends"),
]

APPEALS = [("covid19", "COVID-19 response plan", "72000000", "64", "2020-04-15")]
EVENTS = [("pcsu2020", "Partners and Commitments for Sustainable Urbanization", "2020-12-10")]

# UN operational rates of exchange, units per USD, January 2019 .. December 2021.
RATE_TABLE = {
    "EUR": """0.877 0.873 0.883 0.891 0.889 0.897 0.879 0.893 0.903 0.914 0.898 0.907
              0.891 0.903 0.905 0.919 0.915 0.898 0.888 0.848 0.838 0.853 0.857 0.826
              0.821 0.825 0.827 0.853 0.828 0.822 0.843 0.845 0.848 0.862 0.864 0.883""",
    "CHF": """0.984 0.992 0.997 0.998 0.999 0.985 0.975 0.983 0.981 0.990 0.986 0.992
              0.967 0.971 0.970 0.967 0.969 0.950 0.943 0.914 0.905 0.920 0.913 0.890
              0.892 0.891 0.906 0.941 0.915 0.900 0.925 0.915 0.915 0.932 0.917 0.922""",
    "JPY": """109.9 108.9 111.0 111.3 111.5 108.7 107.9 108.3 106.4 107.8 108.3 109.1
              108.7 109.3 108.2 108.0 107.1 107.7 107.9 105.9 105.7 105.4 104.6 104.2
              103.3 104.9 106.4 110.4 109.4 109.5 110.9 109.9 109.9 111.4 111.9 111.8""",
    "SEK": """9.06 9.00 9.28 9.30 9.52 9.56 9.28 9.44 9.79 9.85 9.60 9.66
              9.33 9.63 9.67 9.98 9.90 9.38 9.31 8.73 8.70 9.00 8.85 8.55
              8.31 8.36 8.39 8.77 8.36 8.32 8.60 8.69 8.67 8.79 8.60 9.03""",
    "NOK": """8.60 8.46 8.64 8.63 8.70 8.75 8.54 8.78 9.08 9.10 9.14 9.25
              8.90 9.12 9.30 10.45 10.30 9.70 9.50 9.08 8.88 9.25 9.40 8.88
              8.53 8.58 8.51 8.55 8.40 8.42 8.80 8.85 8.75 8.70 8.45 9.02""",
    "GBP": """0.785 0.770 0.760 0.768 0.770 0.790 0.795 0.800 0.800 0.795 0.775 0.765
              0.762 0.766 0.768 0.800 0.797 0.795 0.790 0.765 0.750 0.772 0.770 0.745
              0.732 0.729 0.722 0.725 0.722 0.720 0.722 0.727 0.725 0.730 0.735 0.750""",
    "KRW": """1115 1123 1123 1132 1165 1183 1175 1185 1210 1195 1175 1168
              1160 1180 1210 1230 1225 1215 1205 1190 1185 1155 1130 1105
              1086 1099 1125 1131 1118 1110 1128 1155 1160 1180 1182 1185""",
}
DKK_PER_EUR = Decimal("7.455")  # the krone's ERM II central rate, close to the market


def months():
    for y in (2019, 2020, 2021):
        for m in range(1, 13):
            yield "%04d-%02d" % (y, m)


def build_rates():
    rows = []
    table = {}
    for cur, text in RATE_TABLE.items():
        vals = text.split()
        assert len(vals) == 36, cur
        table[cur] = vals
    table["DKK"] = [str((Decimal(v) * DKK_PER_EUR).normalize()) for v in table["EUR"]]
    for cur in sorted(table):
        for i, month in enumerate(months()):
            rows.append({"currency": cur, "month": month, "units_per_usd": table[cur][i]})
    return rows


# ---------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------

def round_even(x):
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def usd_cents(amount, currency, value_date, rates):
    """USD value in cents: amount / units_per_usd, half to even to the cent."""
    with localcontext() as ctx:
        ctx.prec = 80
        a = Decimal(amount)
        if currency == "USD":
            c = a * 100
            assert c == c.to_integral_value(), amount
            return int(c)
        rate = Decimal(rates[(currency, value_date[:7])])
        return round_even(a * 100 / rate)


def part_cents(cents, part, whole):
    """round_half_even(usd_value * part / whole)"""
    with localcontext() as ctx:
        ctx.prec = 80
        return round_even(Decimal(cents) * Decimal(part) / Decimal(whole))


def fmt_amount(amount, currency):
    d = Decimal(str(amount))
    e = EXPONENT[currency]
    q = d.quantize(Decimal(1).scaleb(-e))
    assert q == d and q > 0, (amount, currency)
    return str(q)


def cents_str(c):
    sign = "-" if c < 0 else ""
    c = abs(c)
    return "%s%d.%02d" % (sign, c // 100, c % 100)


def millions(c):
    return (Decimal(c) / Decimal(100000000)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(num, den):
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------
# Report computation (docs/data-format.md, "The figures of a report")
# ---------------------------------------------------------------------------

class Ledger:
    def __init__(self, donors, funds, targets, appeals, events, rates, entries):
        self.donors = {d["id"]: d for d in donors}
        self.funds = {f["id"]: f for f in funds}
        self.targets = targets
        self.appeals = {a["id"]: a for a in appeals}
        self.events = {e["id"]: e for e in events}
        self.rates = {(r["currency"], r["month"]): r["units_per_usd"] for r in rates}
        self.entries = entries
        self.by_id = {e["id"]: e for e in entries}
        self.usd = {e["id"]: usd_cents(e["amount"], e["currency"], e["value_date"], self.rates)
                    for e in entries}

    # -- snapshot ------------------------------------------------------------
    def snapshot(self, as_of):
        snap = [e for e in self.entries if e["value_date"] <= as_of]
        removed = set()
        for e in snap:
            if e["kind"] == "reversal":
                removed.add(e["id"])
                removed.add(e["reverses"])
        return [e for e in snap if e["id"] not in removed]

    @staticmethod
    def attributed(e):
        return int(e["attributed_year"]) if e["attributed_year"] else int(e["value_date"][:4])

    def settled_units(self, snap):
        out = {}
        for e in snap:
            if e["kind"] in ("receipt", "write_off") and e["settles"]:
                out[e["settles"]] = out.get(e["settles"], Decimal(0)) + Decimal(e["amount"])
        return out

    def open_cents(self, pledge, settled):
        whole = Decimal(pledge["amount"])
        rest = whole - settled.get(pledge["id"], Decimal(0))
        assert rest >= 0
        if rest == whole:
            return self.usd[pledge["id"]]
        return part_cents(self.usd[pledge["id"]], rest, whole)

    # -- figures -------------------------------------------------------------
    def receipts_in_year(self, year, as_of, fund=None):
        return [e for e in self.snapshot(as_of)
                if e["kind"] == "receipt" and e["value_date"][:4] == str(year)
                and (fund is None or e["fund"] == fund)]

    def target_in_force(self, fund, year, as_of):
        best = None
        for t in self.targets:
            if (t["fund"] == fund and int(t["year_from"]) == year and int(t["year_to"]) == year
                    and t["decided_on"] <= as_of):
                if best is None or t["decided_on"] > best["decided_on"]:
                    best = t
        return best

    def target_history(self, year, as_of):
        rows = []
        ts = sorted((t for t in self.targets
                     if int(t["year_from"]) <= year <= int(t["year_to"])
                     and t["decided_on"] <= as_of),
                    key=lambda t: (t["fund"], t["year_from"], t["year_to"], t["decided_on"]))
        prev = {}
        for t in ts:
            k = (t["fund"], t["year_from"], t["year_to"])
            rows.append((t, prev.get(k)))
            prev[k] = t["amount_usd"]
        return rows

    def income(self, fund, year, as_of):
        rs = self.receipts_in_year(year, as_of, fund)
        received = sum(self.usd[e["id"]] for e in rs)
        prior = sum(self.usd[e["id"]] for e in rs if self.attributed(e) < year)
        t = self.target_in_force(fund, year, as_of)
        target = int(Decimal(t["amount_usd"]) * 100) if t else None
        return received, prior, received - prior, target

    def top(self, fund, year, as_of, types=None):
        totals, prior = {}, {}
        for e in self.receipts_in_year(year, as_of, fund):
            d = self.donors[e["donor"]]
            if types is not None and d["type"] not in types:
                continue
            totals[e["donor"]] = totals.get(e["donor"], 0) + self.usd[e["id"]]
            if self.attributed(e) < year:
                prior[e["donor"]] = True
        ranked = sorted(totals, key=lambda k: (-totals[k], self.donors[k]["name"]))
        return [(k, totals[k], prior.get(k, False)) for k in ranked]

    def regions(self, year, as_of):
        out = {}
        for e in self.receipts_in_year(year, as_of):
            r = e["region"] or "unallocated"
            out[r] = out.get(r, 0) + self.usd[e["id"]]
        return sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))

    def forecast(self, fund, year, as_of):
        snap = self.snapshot(as_of)
        settled = self.settled_units(snap)
        received = sum(self.usd[e["id"]] for e in snap
                       if e["kind"] == "receipt" and e["fund"] == fund
                       and self.attributed(e) == year)
        pledged = sum(self.open_cents(e, settled) for e in snap
                      if e["kind"] == "pledge" and e["fund"] == fund
                      and self.attributed(e) == year)
        written_off = {e["settles"] for e in snap if e["kind"] == "write_off"}
        exps = [e for e in snap if e["kind"] == "expected" and e["fund"] == fund
                and self.attributed(e) == year and e["id"] not in written_off]
        expected = sum(part_cents(self.usd[e["id"]], Decimal(e["probability"] or "1"), 1)
                       for e in exps)
        unweighted = sum(self.usd[e["id"]] for e in exps)
        return received, pledged, expected, unweighted

    def appeal(self, appeal_id, as_of):
        snap = self.snapshot(as_of)
        settled = self.settled_units(snap)
        channels = {}
        for e in snap:
            if e["appeal"] != appeal_id:
                continue
            if e["kind"] == "receipt":
                ch = e["channel"] or "new_contribution"
                channels[ch] = channels.get(ch, 0) + self.usd[e["id"]]
            elif e["kind"] == "pledge":
                channels["new_pledge"] = channels.get("new_pledge", 0) + self.open_cents(e, settled)
        mobilized = sum(channels.values())
        req = int(Decimal(self.appeals[appeal_id]["requirement_usd"]) * 100)
        return req, mobilized, max(req - mobilized, 0), channels

    def event(self, event_id, as_of):
        by_cat, years = {}, set()
        for e in self.snapshot(as_of):
            if e["kind"] == "pledge" and e["event"] == event_id:
                cat = self.funds[e["fund"]]["category"]
                by_cat[cat] = by_cat.get(cat, 0) + self.usd[e["id"]]
                years.add(self.attributed(e))
        return sum(by_cat.values()), by_cat, years

    def concentration(self, year, as_of):
        totals = {}
        for e in self.receipts_in_year(year, as_of):
            totals[e["donor"]] = totals.get(e["donor"], 0) + self.usd[e["id"]]
        ranked = sorted(totals, key=lambda k: (-totals[k], self.donors[k]["name"]))
        total = sum(totals.values())
        top10 = sum(totals[k] for k in ranked[:10])
        with localcontext() as ctx:
            ctx.prec = 40
            hhi = sum((Decimal(v) / Decimal(total)) ** 2 for v in totals.values())
        return top10, total, ranked, totals, hhi


# ---------------------------------------------------------------------------
# The ledger
# ---------------------------------------------------------------------------

class Lcg:
    """A tiny deterministic generator (independent of the random module)."""

    def __init__(self, seed):
        self.x = seed

    def next(self, n):
        self.x = (self.x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.x >> 33) % n


class Builder:
    def __init__(self, rates):
        self.rows = []
        self.seq = 0
        self.rates = {(r["currency"], r["month"]): r["units_per_usd"] for r in rates}

    def add(self, kind, donor, fund, amount, currency, date, **kw):
        self.seq += 1
        row = dict.fromkeys(ENTRY_COLUMNS, "")
        row.update(id="k%04d" % self.seq, kind=kind, donor=donor, fund=fund,
                   amount=fmt_amount(amount, currency), currency=currency, value_date=date)
        for k, v in kw.items():
            assert k in ENTRY_COLUMNS and k not in ("id", "kind"), k
            row[k] = "" if v is None else str(v)
        row["_seq"] = self.seq
        self.rows.append(row)
        return row["id"]

    def get(self, key):
        for r in self.rows:
            if r["id"] == key:
                return r
        raise KeyError(key)

    def receipt(self, donor, fund, amount, currency, date, **kw):
        return self.add("receipt", donor, fund, amount, currency, date, **kw)

    def pledge(self, donor, fund, amount, currency, date, **kw):
        return self.add("pledge", donor, fund, amount, currency, date, **kw)

    def expected(self, donor, fund, amount, currency, date, probability, **kw):
        return self.add("expected", donor, fund, amount, currency, date,
                        probability=probability, **kw)

    def pay(self, pledge_key, amount, date, **kw):
        """A receipt against a pledge (same donor, fund, currency)."""
        p = self.get(pledge_key)
        for k in ("appeal", "programme"):
            if p[k] and k not in kw:
                kw[k] = p[k]
        year = p["attributed_year"] or p["value_date"][:4]
        if "attributed_year" not in kw and year != date[:4]:
            kw["attributed_year"] = year
        return self.receipt(p["donor"], p["fund"], amount, p["currency"], date,
                            settles=pledge_key, **kw)

    def write_off(self, key, date, amount=None, **kw):
        p = self.get(key)
        if amount is None:
            done = sum(Decimal(r["amount"]) for r in self.rows
                       if r["settles"] == key and r["kind"] in ("receipt", "write_off"))
            amount = Decimal(p["amount"]) - done
        return self.add("write_off", p["donor"], p["fund"], amount, p["currency"], date,
                        settles=key, **kw)

    def reversal(self, key, date, **kw):
        p = self.get(key)
        return self.add("reversal", p["donor"], p["fund"], p["amount"], p["currency"], date,
                        reverses=key, **kw)

    def ledger(self, donors, funds, targets, appeals, events, rates):
        rows = [{k: v for k, v in r.items() if k != "_seq"} for r in self.rows]
        return Ledger(donors, funds, targets, appeals, events, rates, rows)


def dollars(cents):
    assert cents > 0, cents
    return cents_str(cents)


def round_dollars(cents, step=1000):
    """A balancing amount for a named Member State: rounded to `step` dollars
    (a government pledges or pays round sums); the figure it balances then
    lands within step/2 of the centre of its rounding interval."""
    assert cents > 0, cents
    units = step * 100
    return cents_str(max(units, (cents + units // 2) // units * units))


def build_entries(donors, funds, targets, appeals, events, rates):
    b = Builder(rates)
    R = b.receipt
    G_, AP, AF_, AR, EU_, LA = "global", "asia_pacific", "africa", "arab_states", "europe", \
        "latin_america_caribbean"

    def L():
        return b.ledger(donors, funds, targets, appeals, events, rates)

    # ======================================================================
    # 2019
    # ======================================================================
    # -- Foundation non-earmarked (core) ---------------------------------
    R("kuwait", CORE, 100000, "USD", "2019-02-07", region=G_)
    R("mexico", CORE, 150000, "USD", "2019-02-26", region=G_, attributed_year=2018,
      note="Contribution for 2018")
    R("philippines", CORE, 80000, "USD", "2019-03-07", region=G_, attributed_year=2018,
      note="Contribution for 2018")
    R("south_africa", CORE, 140000, "USD", "2019-03-19", region=G_)
    R("germany", CORE, 300000, "EUR", "2019-03-28", region=G_)
    R("china", CORE, 500000, "USD", "2019-04-03", region=G_)
    R("sweden", CORE, 8000000, "SEK", "2019-04-10", region=G_)
    R("sri_lanka", CORE, 20000, "USD", "2019-04-23", region=G_)
    R("india", CORE, 150000, "USD", "2019-05-02", region=G_)
    R("norway", CORE, 5000000, "NOK", "2019-05-15", region=G_)
    R("algeria", CORE, 30000, "USD", "2019-05-21", region=G_)
    R("japan", CORE, 20000000, "JPY", "2019-05-22", region=G_)
    R("barbados", CORE, 50000, "USD", "2019-06-13", region=G_)
    R("france", CORE, 200000, "EUR", "2019-06-19", region=G_)
    R("egypt", CORE, 100000, "USD", "2019-06-27", region=G_)
    R("kenya", CORE, 200000, "USD", "2019-07-17", region=G_)
    R("mali", CORE, 30000, "USD", "2019-07-30", region=G_)
    R("indonesia", CORE, 50000, "USD", "2019-08-15", region=G_)
    R("brazil", CORE, 100000, "USD", "2019-08-29", region=G_)
    R("bahrain", CORE, 100000, "USD", "2019-09-05", region=G_)
    R("malawi", CORE, 20000, "USD", "2019-09-26", region=G_)
    R("nigeria", CORE, 50000, "USD", "2019-10-24", region=G_)
    R("qatar", CORE, 100000, "USD", "2019-10-31", region=G_)
    R("colombia", CORE, 20000, "USD", "2019-11-12", region=G_)
    R("uganda", CORE, 10000, "USD", "2019-11-28", region=G_)
    R("thailand", CORE, 10000, "USD", "2019-12-17", region=G_)
    R("anonymous_individual", CORE, 10000, "USD", "2019-12-20", region=G_)

    # -- Foundation earmarked ------------------------------------------------
    p = b.pledge("sweden", EARMARKED, 100000000, "SEK", "2019-02-15",
                 note="Sida programme cooperation agreement 2019")
    b.pay(p, 60000000, "2019-03-12", region=G_)
    b.pay(p, 40000000, "2019-10-08", region=G_)
    uae = R("uae", EARMARKED, 4000000, "USD", "2019-02-20", region=G_)
    dup = R("uae", EARMARKED, 4000000, "USD", "2019-02-20", region=G_,
            recorded_at="2019-02-26", note="Recorded twice by mistake")
    b.reversal(dup, "2019-03-05", note="Reverses duplicate {ref}")
    R("denmark", EARMARKED, 2000000, "DKK", "2019-04-02", region=G_)
    R("un_entities", EARMARKED, 600000, "USD", "2019-04-15", region=G_, programme="gltn",
      note="IFAD")
    R("japan", EARMARKED, 330000000, "JPY", "2019-04-24", region=G_)
    R("gates_foundation", EARMARKED, 1600000, "USD", "2019-05-08", region=G_)
    R("germany", EARMARKED, 5000000, "EUR", "2019-05-16", region=G_)
    R("netherlands", EARMARKED, 450000, "USD", "2019-05-30", region=G_, programme="gltn")
    R("finland", EARMARKED, 300000, "EUR", "2019-06-04", region=G_)
    R("norway", EARMARKED, 5000000, "NOK", "2019-06-12", region=G_, programme="gltn")
    R("european_union", EARMARKED, 6000000, "EUR", "2019-06-25", region=G_)
    R("european_union", EARMARKED, 1000000, "EUR", "2019-06-25", region=G_, programme="psup")
    R("morocco", EARMARKED, 2000000, "USD", "2019-07-03", region=AR, country="MAR")
    R("korea", EARMARKED, 400000000, "KRW", "2019-07-16", region=G_)
    R("kenya", EARMARKED, 150000, "USD", "2019-08-08", region=AF_, country="KEN")
    R("usa", EARMARKED, 500000, "USD", "2019-08-14", region=G_)
    R("block_by_block", EARMARKED, 1200000, "USD", "2019-08-27", region=G_)
    R("un_entities", EARMARKED, 400000, "USD", "2019-09-10", region=G_, note="UNEP")
    R("canada", EARMARKED, 200000, "USD", "2019-09-17", region=G_)
    R("switzerland", EARMARKED, 500000, "CHF", "2019-09-25", region=G_)
    R("china", EARMARKED, 400000, "USD", "2019-10-15", region=G_)
    R("france", EARMARKED, 200000, "EUR", "2019-10-29", region=G_)
    R("fondation_botnar", EARMARKED, 250000, "USD", "2019-11-06", region=G_)
    R("united_kingdom", EARMARKED, 600000, "GBP", "2019-11-20", region=G_)
    R("alwaleed", EARMARKED, 300000, "USD", "2019-12-03", region=G_)

    # -- Technical cooperation --------------------------------------------
    p = b.pledge("european_union", TC, 30000000, "EUR", "2019-01-15",
                 note="Contribution agreements 2019")
    b.pay(p, 12000000, "2019-02-12", region=AF_)
    b.pay(p, 10000000, "2019-07-10", region=AR)
    b.pay(p, 8000000, "2019-11-14", region=AP)
    p = b.pledge("adaptation_fund", TC, 15000000, "USD", "2019-01-30",
                 programme="climate_resilience")
    b.pay(p, 6000000, "2019-03-05", region=AP)
    b.pay(p, 5000000, "2019-06-20", region=AF_)
    b.pay(p, 4000000, "2019-10-22", region=LA)
    p = b.pledge("japan", TC, 2500000000, "JPY", "2019-02-01", note="Supplementary budget")
    b.pay(p, 1500000000, "2019-03-20", region=AP)
    b.pay(p, 1000000000, "2019-09-18", region=AR)
    p = b.pledge("awash_welday", TC, 3000000, "USD", "2019-03-01",
                 note="Urban planning partnership, Ethiopia")
    b.pay(p, 1500000, "2019-04-18", region=AF_, country="ETH")
    b.pay(p, 1500000, "2019-10-10", region=AF_, country="ETH")
    R("india", TC, 800000, "USD", "2019-03-14", region=AP, country="IND")
    R("spain", TC, 1200000, "EUR", "2019-04-25", region=LA)
    R("saudi_arabia", TC, 1400000, "USD", "2019-04-30", region=AR, country="SAU")
    R("iraq", TC, 900000, "USD", "2019-05-09", region=AR, country="IRQ")
    R("denmark", TC, 8000000, "DKK", "2019-05-14", region=AF_)
    R("alagoas", TC, 1250000, "USD", "2019-05-29", region=LA, country="BRA")
    R("kenya", TC, 700000, "USD", "2019-06-06", region=AF_, country="KEN")
    R("sweden", TC, 60000000, "SEK", "2019-06-18", region=AF_)
    R("qatar", TC, 1600000, "USD", "2019-06-26", region=AR)
    R("philippines", TC, 300000, "USD", "2019-07-11", region=AP, country="PHL")
    R("ethiopia", TC, 1200000, "USD", "2019-07-24", region=AF_, country="ETH")
    R("colombia", TC, 600000, "USD", "2019-08-01", region=LA, country="COL")
    R("germany", TC, 1000000, "EUR", "2019-08-20", region=AR, country="IRQ")
    R("norway", TC, 40000000, "NOK", "2019-08-22", region=AF_)
    R("alwaleed", TC, 2000000, "USD", "2019-09-04", region=AR)
    R("mexico", TC, 500000, "USD", "2019-09-12", region=LA, country="MEX")
    R("korea", TC, 1300000000, "KRW", "2019-10-02", region=AP)
    R("brazil", TC, 500000, "USD", "2019-10-17", region=LA, country="BRA")
    R("egypt", TC, 400000, "USD", "2019-11-05", region=AR, country="EGY")
    R("alagoas", TC, 1250000, "USD", "2019-11-27", region=LA, country="BRA")
    R("china", TC, 1000000, "USD", "2019-12-05", region=AP)
    R("usa", TC, 1000000, "USD", "2019-12-12", region=LA)
    R("netherlands", TC, 500000, "USD", "2019-06-27", region=AF_)
    R("canada", TC, 200000, "USD", "2019-10-03", region=LA, country="HTI")
    R("finland", CORE, 150000, "EUR", "2019-11-19", region=G_)
    un_tc_2019 = [
        ("2019-01-24", 450000, AF_, "UNDP"), ("2019-02-14", 820000, AR, "UNHCR"),
        ("2019-03-21", 390000, AP, "UNOPS"), ("2019-04-11", 1150000, AF_, "UNICEF"),
        ("2019-05-23", 610000, AR, "UN Peacebuilding Fund"), ("2019-06-13", 480000, LA, "UNDP"),
        ("2019-07-18", 930000, AP, "UNDP"), ("2019-08-08", 540000, AF_, "WFP"),
        ("2019-09-19", 770000, AR, "UNHCR"), ("2019-10-17", 660000, AF_, "IOM"),
        ("2019-11-07", 850000, AP, "UNEP"), ("2019-11-28", 590000, LA, "FAO"),
        ("2019-12-11", 1240000, AF_, "MPTF Office"), ("2019-12-19", 520000, EU_, "UNECE"),
    ]
    for d, a, reg, agency in un_tc_2019:
        R("un_entities", TC, a, "USD", d, region=reg, note=agency)

    # ======================================================================
    # 2020
    # ======================================================================
    # -- core ----------------------------------------------------------------
    R("mexico", CORE, 170000, "USD", "2020-02-14", region=G_, attributed_year=2019,
      note="Contribution for 2019")
    brazil_p = b.pledge("brazil", CORE, 100000, "USD", "2020-02-20")
    R("finland", CORE, 150000, "EUR", "2020-02-25", region=G_)
    R("saudi_arabia", CORE, 200000, "USD", "2020-03-10", region=G_)
    R("philippines", CORE, 90000, "USD", "2020-03-20", region=G_, attributed_year=2019,
      note="Contribution for 2019")
    R("south_africa", CORE, 140000, "USD", "2020-03-24", region=G_)
    R("china", CORE, 500000, "USD", "2020-04-07", region=G_)
    R("netherlands", CORE, 300000, "EUR", "2020-04-21", region=G_)
    R("india", CORE, 150000, "USD", "2020-05-05", region=G_)
    R("norway", CORE, 5000000, "NOK", "2020-05-13", region=G_)
    R("algeria", CORE, 30000, "USD", "2020-05-19", region=G_)
    R("japan", CORE, 18000000, "JPY", "2020-05-26", region=G_)
    R("sweden", CORE, 4000000, "SEK", "2020-06-09", region=G_)
    R("barbados", CORE, 50000, "USD", "2020-06-16", region=G_)
    R("kuwait", CORE, 100000, "USD", "2020-06-23", region=G_)
    R("egypt", CORE, 100000, "USD", "2020-06-30", region=G_)
    phl_p = b.pledge("philippines", CORE, 95000, "USD", "2020-07-01")
    R("germany", CORE, 300000, "EUR", "2020-07-14", region=G_)
    R("nigeria", CORE, 30000, "USD", "2020-07-21", region=G_, note="First instalment for 2020")
    R("mali", CORE, 30000, "USD", "2020-08-04", region=G_)
    R("indonesia", CORE, 50000, "USD", "2020-08-18", region=G_)
    R("bahrain", CORE, 100000, "USD", "2020-09-08", region=G_)
    b.pay(brazil_p, 40000, "2020-09-15", region=G_)
    R("france", CORE, 200000, "EUR", "2020-09-22", region=G_)
    R("malawi", CORE, 20000, "USD", "2020-10-06", region=G_)
    R("qatar", CORE, 100000, "USD", "2020-11-17", region=G_)

    # -- earmarked -------------------------------------------------------------
    R("gates_foundation", EARMARKED, 2000000, "USD", "2020-01-29", region=G_)
    p = b.pledge("sweden", EARMARKED, 120000000, "SEK", "2020-02-05",
                 note="Sida programme cooperation agreement 2020")
    R("uae", EARMARKED, 3000000, "USD", "2020-02-10", region=G_,
      note="Announced at the tenth World Urban Forum, Abu Dhabi")
    b.pay(p, 70000000, "2020-03-17", region=G_)
    b.pay(p, 50000000, "2020-10-13", region=G_)
    R("netherlands", EARMARKED, 1250000, "USD", "2020-03-31", region=G_, programme="gltn")
    R("japan", EARMARKED, 400000000, "JPY", "2020-04-28", region=G_)
    R("european_union", EARMARKED, 7000000, "EUR", "2020-06-24", region=G_)
    R("morocco", EARMARKED, 1500000, "USD", "2020-07-08", region=AR, country="MAR")
    # EUR 899,999.89 at 0.848 is exactly USD 1,061,320.625: a tie that half-to-even
    # rounds down to 1,061,320.62 (half-up would give .63).
    eu_psup = R("european_union", EARMARKED, "899999.89", "EUR", "2020-08-19", region=G_,
                programme="psup", note="Net of bank charges")
    R("un_entities", EARMARKED, 750000, "USD", "2020-08-26", region=G_, programme="gltn",
      note="IFAD")
    R("korea", EARMARKED, 500000000, "KRW", "2020-09-01", region=G_)
    R("germany", EARMARKED, 5000000, "EUR", "2020-09-16", region=G_)
    R("block_by_block", EARMARKED, 1000000, "USD", "2020-09-29", region=G_)
    R("china", EARMARKED, 500000, "USD", "2020-10-20", region=G_)
    R("switzerland", EARMARKED, 1000000, "CHF", "2020-11-03", region=G_)
    R("poland", EARMARKED, 200000, "USD", "2020-11-12", region=G_)
    R("norway", EARMARKED, 10000000, "NOK", "2020-11-24", region=G_)
    R("kuwait", EARMARKED, 300000, "USD", "2020-12-02", region=AR)
    R("united_kingdom", EARMARKED, 500000, "GBP", "2020-12-09", region=G_)

    # -- technical cooperation --------------------------------------------
    p = b.pledge("european_union", TC, 40000000, "EUR", "2020-01-20",
                 note="Contribution agreements 2020")
    b.pay(p, 15000000, "2020-03-12", region=AF_)
    b.pay(p, 12000000, "2020-08-12", region=AP)
    b.pay(p, 8000000, "2020-11-11", region=AR)
    eu_tc_2020 = p
    p = b.pledge("japan", TC, 2400000000, "JPY", "2020-01-31", note="Supplementary budget")
    b.pay(p, 1600000000, "2020-02-20", region=AP)
    b.pay(p, 800000000, "2020-09-24", region=AR)
    p = b.pledge("adaptation_fund", TC, 12500000, "USD", "2020-02-03",
                 programme="climate_resilience", note="Climate resilience programmes")
    b.pay(p, 5000000, "2020-03-26", region=AP)
    b.pay(p, 4500000, "2020-07-29", region=AF_)
    b.pay(p, 3000000, "2020-11-19", region=LA)
    bad = b.pledge("qatar", TC, 10000000, "USD", "2020-02-10", note="Entered with a wrong amount")
    b.reversal(bad, "2020-02-12", note="Reverses {ref}: amount was 1,000,000")
    p = b.pledge("qatar", TC, 1000000, "USD", "2020-02-12")
    b.pay(p, 1000000, "2020-05-20", region=AR)
    R("india", TC, 800000, "USD", "2020-03-03", region=AP, country="IND")
    R("alwaleed", TC, 800000, "USD", "2020-03-18", region=AR)
    R("spain", TC, 1500000, "EUR", "2020-04-16", region=LA)
    R("kenya", TC, 800000, "USD", "2020-04-29", region=AF_, country="KEN")
    R("saudi_arabia", TC, 1500000, "USD", "2020-05-06", region=AR, country="SAU")
    R("denmark", TC, 10000000, "DKK", "2020-05-28", region=AF_)
    R("brazil", TC, 400000, "USD", "2020-06-03", region=LA, country="BRA")
    eth_p = b.pledge("ethiopia", TC, 5000000, "USD", "2020-06-10",
                     note="Regional spatial development plans for Ethiopian states")
    R("alagoas", TC, 1200000, "USD", "2020-06-25", region=LA, country="BRA")
    R("colombia", TC, 500000, "USD", "2020-07-01", region=LA, country="COL")
    R("korea", TC, 1500000000, "KRW", "2020-08-06", region=AP)
    R("awash_welday", TC, 1500000, "USD", "2020-08-25", region=AF_, country="ETH")
    R("iraq", TC, 1000000, "USD", "2020-08-31", region=AR, country="IRQ")
    R("sweden", TC, 50000000, "SEK", "2020-09-10", region=AF_)
    R("mexico", TC, 600000, "USD", "2020-09-29", region=LA, country="MEX")
    b.pay(eth_p, 2500000, "2020-10-08", region=AF_, country="ETH")
    R("norway", TC, 30000000, "NOK", "2020-10-21", region=AF_)
    R("usa", TC, 1000000, "USD", "2020-10-29", region=LA)
    R("philippines", TC, 300000, "USD", "2020-11-05", region=AP, country="PHL")
    R("china", TC, 1200000, "USD", "2020-11-26", region=AP)
    R("egypt", TC, 400000, "USD", "2020-12-03", region=AR, country="EGY")
    b.pay(eth_p, 2500000, "2020-12-10", region=AF_, country="ETH")
    un_tc_2020 = [
        ("2020-01-23", 700000, AF_, "UNDP"), ("2020-02-27", 950000, AR, "UNHCR"),
        ("2020-03-19", 480000, AP, "UNOPS"), ("2020-04-23", 1300000, AF_, "UNICEF"),
        ("2020-05-21", 820000, AR, "UN Peacebuilding Fund"), ("2020-06-24", 560000, LA, "UNDP"),
        ("2020-07-23", 1100000, AP, "UNDP"), ("2020-08-20", 690000, AF_, "WFP"),
        ("2020-09-17", 870000, AR, "UNHCR"), ("2020-10-15", 760000, AF_, "IOM"),
        ("2020-11-12", 940000, AP, "UNEP"), ("2020-12-03", 610000, EU_, "UNECE"),
    ]
    for d, a, reg, agency in un_tc_2020:
        R("un_entities", TC, a, "USD", d, region=reg, note=agency)

    # -- COVID-19 response plan (appeal covid19, launched 2020-04-15) ------
    C = dict(appeal="covid19")
    R("unhabitat_emergency_fund", EARMARKED, 300000, "USD", "2020-04-20", region=G_,
      channel="internal_emergency_fund", **C)
    R("sweden", EARMARKED, 20000000, "SEK", "2020-05-12", region=G_,
      channel="new_contribution", **C)
    alw = b.pledge("alwaleed", EARMARKED, 500000, "USD", "2020-05-14", **C)
    R("germany", EARMARKED, 1000000, "EUR", "2020-05-20", region=G_,
      channel="new_contribution", **C)
    R("sweden", EARMARKED, 15000000, "SEK", "2020-06-02", region=G_,
      channel="reprogrammed", note="Reprogrammed from the 2020 programme cooperation agreement",
      **C)
    R("norway", TC, 10000000, "NOK", "2020-06-04", region=AF_, channel="reprogrammed", **C)
    R("japan", TC, 500000000, "JPY", "2020-06-11", region=AP, channel="new_contribution", **C)
    R("unhabitat_emergency_fund", EARMARKED, 300000, "USD", "2020-06-15", region=G_,
      channel="internal_emergency_fund", **C)
    R("un_entities", TC, 2000000, "USD", "2020-06-18", region=AF_, channel="new_contribution",
      note="UN COVID-19 Response and Recovery Fund", **C)
    R("european_union", TC, 3000000, "EUR", "2020-07-07", region=AF_,
      channel="new_contribution", **C)
    R("un_entities", TC, 1500000, "USD", "2020-07-16", region=AP, channel="reprogrammed",
      note="UNDP", **C)
    R("fondation_botnar", EARMARKED, 500000, "USD", "2020-07-22", region=G_,
      channel="new_contribution", **C)
    b.pay(alw, 200000, "2020-09-09", region=G_, channel="new_contribution")
    kor = b.pledge("korea", TC, 2000000000, "KRW", "2020-09-21", **C)
    # Online donation platform (individual giving, crowdfunding for humanitarian work).
    rnd = Lcg(20211115)
    for i, month in enumerate(m for m in months() if "2020-10" <= m <= "2021-12"):
        amount = Decimal(150000 + rnd.next(450000)) / 100
        kw = dict(C) if month <= "2020-12" else {}
        R("online_donors", EARMARKED, amount, "USD", month + "-%02d" % (10 + i % 10),
          region=G_, note="Online donation platform, monthly transfer", **kw)
    b.pay(kor, 2000000000, "2020-12-15", region=AP, channel="new_contribution")

    # ---- G: the open pledge that brings the appeal to USD 22.1 M ----------
    req, mob, gap, ch = L().appeal("covid19", "2020-11-30")
    need = 2210000000 - mob
    sau = b.pledge("saudi_arabia", TC, round_dollars(need, 10000), "USD", "2020-10-20", **C)
    b.pay(sau, round_dollars(need, 10000), "2020-12-18", region=AR, channel="new_contribution")

    # ---- psup: 1.5 M in 2020 ---------------------------------------------
    eu_psup_c = usd_cents(b.get(eu_psup)["amount"], "EUR", "2020-08-19", b.rates)
    R("un_entities", EARMARKED, dollars(150000000 - eu_psup_c), "USD", "2020-10-27", region=G_,
      programme="psup", note="UN-Habitat/ACP partners, co-financing")

    # ---- E: 2020 as of 2020-12-31 -----------------------------------------
    rec, prior, net, tgt = L().income(CORE, 2020, "2020-12-31")
    R("nigeria", CORE, round_dollars(30000000 - prior), "USD", "2020-04-14", region=G_,
      attributed_year=2019, note="Contribution for 2019")
    rec, prior, net, tgt = L().income(CORE, 2020, "2020-12-31")
    R("kenya", CORE, round_dollars(430000000 - rec), "USD", "2020-10-20", region=G_,
      note="Host country contribution")
    rec, prior, net, tgt = L().income(EARMARKED, 2020, "2020-12-31")
    R("un_entities", EARMARKED, dollars(5320000000 - rec), "USD", "2020-12-14", region=G_,
      note="UN inter-agency agreements, global programmes")
    rec, prior, net, tgt = L().income(TC, 2020, "2020-12-31")
    R("un_entities", TC, dollars(13830000000 - rec), "USD", "2020-12-21", region=AF_,
      note="UN inter-agency agreements, country programmes")

    # ======================================================================
    # pcsu2020: Partners and Commitments for Sustainable Urbanization, 2020-12-10
    # ======================================================================
    EV = "2020-12-10"
    E = dict(event="pcsu2020")
    ev = {}
    for donor, amt in [("china", 200000), ("south_africa", 140000), ("egypt", 110000),
                       ("barbados", 50000), ("mali", 35000), ("algeria", 30000),
                       ("malawi", 25000)]:
        ev[("core", donor)] = b.pledge(donor, CORE, amt, "USD", EV, attributed_year=2021, **E)
    ev[("core", "norway")] = b.pledge("norway", CORE, 3000000, "NOK", EV, attributed_year=2021,
                                      **E)
    for donor, fund, amt, cur, years in [
            ("sweden", EARMARKED, 60000000, "SEK", (2021, 2022, 2023)),
            ("germany", EARMARKED, 7500000, "EUR", (2021, 2022)),
            ("switzerland", EARMARKED, 1500000, "CHF", (2021, 2022)),
            ("japan", EARMARKED, 150000000, "JPY", (2021,)),
            ("china", EARMARKED, 1000000, "USD", (2021,)),
            ("uae", EARMARKED, 2500000, "USD", (2021, 2022)),
            ("gates_foundation", EARMARKED, 1500000, "USD", (2021, 2022)),
            ("netherlands", EARMARKED, 2000000, "EUR", (2021, 2022)),
            ("european_union", TC, 10000000, "EUR", (2021,)),
            ("european_union", TC, 15000000, "EUR", (2022, 2023)),
            ("japan", TC, 1200000000, "JPY", (2021,)),
            ("japan", TC, 800000000, "JPY", (2022,)),
            ("norway", TC, 25000000, "NOK", (2021, 2022)),
            ("denmark", TC, 30000000, "DKK", (2021,)),
            ("spain", TC, 3000000, "EUR", (2021, 2022)),
            ("korea", TC, 3000000000, "KRW", (2021,)),
            ("ethiopia", TC, 8000000, "USD", (2021,)),
            ("china", TC, 2000000, "USD", (2021,))]:
        for y in years:
            ev[(fund, donor, y)] = b.pledge(donor, fund, amt, cur, EV, attributed_year=y, **E)

    # ---- F: core 1.1 M, total 164.1 M --------------------------------------
    total, by_cat, _ = L().event("pcsu2020", "2020-12-31")
    ev[("core", "kenya")] = b.pledge("kenya", CORE, round_dollars(110000000 - by_cat["core"]), "USD",
                                     EV, attributed_year=2021, **E)
    total, by_cat, _ = L().event("pcsu2020", "2020-12-31")
    ev[(TC, "saudi_arabia", 2021)] = b.pledge(
        "saudi_arabia", TC, round_dollars(16410000000 - total, 10000), "USD", EV, attributed_year=2021,
        note="Urban planning programme", **E)

    # ======================================================================
    # 2021
    # ======================================================================
    # -- core, January to June -------------------------------------------------
    R("sri_lanka", CORE, 20000, "USD", "2021-01-19", region=G_, attributed_year=2020)
    b.pay(phl_p, 95000, "2021-02-10", region=G_, note="Contribution for 2020")
    b.write_off(brazil_p, "2021-02-15", note="Balance of the 2020 pledge will not be paid")
    R("colombia", CORE, 18000, "USD", "2021-03-02", region=G_, attributed_year=2020)
    b.pay(ev[("core", "china")], 200000, "2021-03-16", region=G_)
    b.pay(ev[("core", "south_africa")], 140000, "2021-04-06", region=G_)
    R("japan", CORE, 9000000, "JPY", "2021-04-14", region=G_)
    R("thailand", CORE, 15000, "USD", "2021-04-27", region=G_, attributed_year=2020)
    b.pay(ev[("core", "barbados")], 50000, "2021-05-11", region=G_)
    R("uganda", CORE, 12000, "USD", "2021-05-18", region=G_, attributed_year=2020)
    b.pay(ev[("core", "mali")], 35000, "2021-05-25", region=G_)
    b.pay(ev[("core", "egypt")], 110000, "2021-06-01", region=G_)
    R("nigeria", CORE, 20000, "USD", "2021-06-08", region=G_, attributed_year=2020,
      note="Balance of the contribution for 2020")
    b.pay(ev[("core", "algeria")], 30000, "2021-06-10", region=G_)
    R("philippines", CORE, 10000, "USD", "2021-06-15", region=G_)
    b.pay(ev[("core", "malawi")], 25000, "2021-06-22", region=G_, recorded_at="2021-07-01")

    # -- core pledges and expectations made in 2021 -----------------------------
    b.expected("colombia", CORE, 20000, "USD", "2021-02-16", "0.9")
    brazil_x = b.expected("brazil", CORE, 100000, "USD", "2021-03-09", "0.5")
    spain_p = b.pledge("spain", CORE, 300000, "EUR", "2021-03-18")
    b.expected("indonesia", CORE, 50000, "USD", "2021-03-23", "0.9")
    b.expected("bahrain", CORE, 100000, "USD", "2021-04-13", "0.8")
    sweden_p = b.pledge("sweden", CORE, 5000000, "SEK", "2021-04-29")
    b.expected("nigeria", CORE, 50000, "USD", "2021-05-04", "0.7")
    france_x = b.expected("france", CORE, 400000, "EUR", "2021-05-20", "0.7")
    germany_x = b.expected("germany", CORE, 250000, "EUR", "2021-06-10", "0.6")
    b.expected("qatar", CORE, 100000, "USD", "2021-06-29", "0.8")
    b.write_off(brazil_x, "2021-07-30", note="Not expected this year after bilateral meeting")
    b.expected("netherlands", CORE, 300000, "EUR", "2021-08-03", "0.6", attributed_year=2022)

    # -- earmarked, January to June ---------------------------------------------
    R("gates_foundation", EARMARKED, 1500000, "USD", "2021-02-09", region=G_,
      settles=ev[(EARMARKED, "gates_foundation", 2021)])
    R("poland", EARMARKED, 600000, "USD", "2021-02-25", region=G_)
    R("kuwait", EARMARKED, 500000, "USD", "2021-03-15", region=AR)
    R("block_by_block", EARMARKED, 400000, "USD", "2021-03-23", region=G_)
    b.pay(ev[(EARMARKED, "china", 2021)], 1000000, "2021-03-30", region=G_)
    R("israel", EARMARKED, 150000, "USD", "2021-04-08", region=G_)
    R("un_entities", EARMARKED, 1500000, "USD", "2021-04-13", region=G_, note="UNEP")
    b.pay(ev[(EARMARKED, "japan", 2021)], 150000000, "2021-04-20", region=G_)
    R("fondation_botnar", EARMARKED, 600000, "USD", "2021-04-28", region=G_,
      note="Inclusive frontier technologies for young people's wellbeing")
    R("jordan", EARMARKED, 300000, "USD", "2021-05-05", region=AR, country="JOR")
    b.pay(ev[(EARMARKED, "switzerland", 2021)], 1500000, "2021-05-12", region=G_)
    R("un_entities", EARMARKED, 1000000, "USD", "2021-05-27", region=G_, note="UN-Women")
    R("european_union", EARMARKED, 200000, "EUR", "2021-06-10", region=G_)
    R("italy", EARMARKED, 100000, "EUR", "2021-06-22", region=G_, recorded_at="2021-07-02")

    # -- technical cooperation, January to June ----------------------------------
    R("adaptation_fund", TC, 2000000, "USD", "2021-01-21", region=AF_,
      programme="climate_resilience")
    b.pay(ev[(TC, "japan", 2021)], 700000000, "2021-02-18", region=AP)
    b.pay(ev[(TC, "japan", 2021)], 500000000, "2021-02-18", region=AF_)
    dk = b.pay(ev[(TC, "denmark", 2021)], 15000000, "2021-03-10", region=AF_)
    dup = R("denmark", TC, 15000000, "DKK", "2021-03-10", region=AF_, recorded_at="2021-03-19",
            note="Recorded twice by mistake")
    b.reversal(dup, "2021-03-24", note="Reverses duplicate {ref}")
    R("alagoas", TC, 800000, "USD", "2021-03-17", region=LA, country="BRA")
    b.pay(ev[(TC, "ethiopia", 2021)], 8000000, "2021-03-25", region=AF_, country="ETH",
          note="Regional spatial development plans for Ethiopian states")
    R("un_entities", TC, 3000000, "USD", "2021-04-08", region=AP, note="UNDP")
    b.pay(ev[(TC, "spain", 2021)], 3000000, "2021-04-15", region=LA)
    R("awash_welday", TC, 500000, "USD", "2021-04-22", region=AF_, country="ETH")
    R("adaptation_fund", TC, 1500000, "USD", "2021-05-06", region=LA,
      programme="climate_resilience")
    b.pay(ev[(TC, "china", 2021)], 2000000, "2021-05-20", region=AP)
    R("un_entities", TC, 2000000, "USD", "2021-05-26", region=AR, note="UNHCR")
    b.pay(ev[(TC, "korea", 2021)], 1500000000, "2021-06-08", region=AP)
    R("india", TC, 1000000, "USD", "2021-06-25", region=AP, country="IND",
      recorded_at="2021-07-06T09:30:00Z")

    # ---- A: 2021 as of 2021-06-30 ---------------------------------------------
    rec, prior, net, tgt = L().income(CORE, 2021, "2021-06-30")
    R("mexico", CORE, dollars(50000000 - prior), "USD", "2021-01-28", region=G_,
      attributed_year=2020, note="Contribution for 2020")
    rec, prior, net, tgt = L().income(CORE, 2021, "2021-06-30")
    R("online_donors", CORE, dollars(120000000 - rec), "USD", "2021-06-18", region=G_,
      note="Online donation platform, unrestricted gifts January-June")
    rec, prior, net, tgt = L().income(EARMARKED, 2021, "2021-06-30")
    R("un_entities", EARMARKED, dollars(1220000000 - rec), "USD", "2021-06-24", region=G_,
      note="UN inter-agency agreements, global programmes")
    rec, prior, net, tgt = L().income(TC, 2021, "2021-06-30")
    R("un_entities", TC, dollars(4280000000 - rec), "USD", "2021-06-17", region=AF_,
      note="UN inter-agency agreements, country programmes")

    # -- July to 19 August -----------------------------------------------------------
    b.pay(spain_p, 50000, "2021-07-20", region=G_)
    b.pay(eu_tc_2020, 5000000, "2021-07-15",
          region=AF_, attributed_year=2020, note="Balance of the 2020 agreements")
    R("un_entities", TC, 1800000, "USD", "2021-07-22", region=AF_, note="UNICEF")
    b.pay(ev[(EARMARKED, "uae", 2021)], 2500000, "2021-08-10", region=G_)
    b.pay(alw, 300000, "2021-08-12", region=G_, channel="new_contribution")
    R("adaptation_fund", TC, 2500000, "USD", "2021-08-17", region=AP,
      programme="climate_resilience")

    # ---- D: forecast as of 2021-08-19 -------------------------------------------
    rec, pledged, expected, _ = L().forecast(CORE, 2021, "2021-08-19")
    b.pay(ev[("core", "kenya")], round_dollars(80000000 - rec), "2021-07-27", region=G_)
    rec, pledged, expected, _ = L().forecast(CORE, 2021, "2021-08-19")
    saudi_p = b.pledge("saudi_arabia", CORE, round_dollars(160000000 - pledged), "USD", "2021-06-15",
             note="Announced at a bilateral meeting with the Executive Director")
    rec, pledged, expected, _ = L().forecast(CORE, 2021, "2021-08-19")
    b.expected("india", CORE, round_dollars(2 * (90000000 - expected)), "USD", "2021-07-08", "0.5")

    # -- after 19 August 2021 -------------------------------------------------------
    b.pay(ev[(TC, "korea", 2021)], 1500000000, "2021-09-07", region=AP)
    b.pay(ev[(EARMARKED, "sweden", 2021)], 60000000, "2021-09-14", region=G_)
    b.expected("kuwait", CORE, 100000, "USD", "2021-09-15", "0.75")
    b.pay(ev[(EARMARKED, "netherlands", 2021)], 2000000, "2021-09-21", region=G_)
    R("anonymous_individual", EARMARKED, 25000, "USD", "2021-09-30", region=G_)
    R("sweden", TC, 40000000, "SEK", "2021-08-31", region=AF_)
    R("mexico", TC, 500000, "USD", "2021-08-24", region=LA, country="MEX")
    R("colombia", TC, 300000, "USD", "2021-09-09", region=LA, country="COL")
    b.write_off(france_x, "2021-10-05", note="Replaced by a pledge")
    france_p = b.pledge("france", CORE, 400000, "EUR", "2021-10-05")
    b.pay(ev[("core", "norway")], 3000000, "2021-10-07", region=G_)
    b.pay(ev[(TC, "european_union", 2021)], 10000000, "2021-10-14", region=AF_)
    b.pay(ev[(EARMARKED, "germany", 2021)], 7500000, "2021-10-19", region=G_)
    b.pay(ev[(TC, "denmark", 2021)], 15000000, "2021-10-26", region=AF_)
    R("un_entities", TC, 2200000, "USD", "2021-10-28", region=AR, note="UN Peacebuilding Fund")
    b.pay(ev[(TC, "norway", 2021)], 25000000, "2021-11-04", region=AF_)
    R("morocco", EARMARKED, 1000000, "USD", "2021-11-09", region=AR, country="MAR")
    kenya_rest = b.get(ev[("core", "kenya")])["amount"]
    paid = sum(Decimal(r["amount"]) for r in b.rows if r["settles"] == ev[("core", "kenya")])
    b.pay(ev[("core", "kenya")], Decimal(kenya_rest) - paid, "2021-11-16", region=G_)
    b.pay(france_p, 400000, "2021-11-23", region=G_)
    b.pay(sweden_p, 5000000, "2021-12-02", region=G_)
    b.write_off(germany_x, "2021-12-08", note="Replaced by the contribution received")
    R("germany", CORE, 250000, "EUR", "2021-12-08", region=G_)
    b.pay(ev[(TC, "saudi_arabia", 2021)], 3000000, "2021-12-09", region=AR, country="SAU")
    b.pay(saudi_p, 150000, "2021-12-14", region=G_)
    R("un_entities", TC, 1600000, "USD", "2021-12-16", region=AF_, note="UNDP")

    # ---- H: 2019 concentration 82 % -----------------------------------------------
    top10, total, ranked, totals, _ = L().concentration(2019, "2019-12-31")
    with localcontext() as ctx:
        ctx.prec = 40
        need = round_even(Decimal(top10) / Decimal("0.82")) - total
    R("saudi_arabia", CORE, round_dollars(need), "USD", "2019-12-10", region=G_)

    return b


def assign_ids(rows):
    order = sorted(rows, key=lambda r: (r["value_date"], r["_seq"]))
    counters, mapping = {}, {}
    for r in order:
        y = r["value_date"][:4]
        counters[y] = counters.get(y, 0) + 1
        mapping[r["id"]] = "E%s-%04d" % (y, counters[y])
    out = []
    for r in order:
        r = {k: v for k, v in r.items() if k != "_seq"}
        old = r["id"]
        r["id"] = mapping[old]
        for k in ("settles", "reverses"):
            if r[k]:
                r[k] = mapping[r[k]]
        if "{ref}" in r["note"]:
            r["note"] = r["note"].replace("{ref}", r["reverses"] or r["settles"])
        out.append(r)
    return out


# ---------------------------------------------------------------------------
# Writing and reading
# ---------------------------------------------------------------------------

def write_csv(name, columns, rows):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([r.get(c, "") for c in columns])
    return len(rows)


def read_csv(name):
    path = os.path.join(OUT, name)
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8")  # raises on bytes that are not UTF-8
    assert not text.startswith("\ufeff"), name
    assert "\r" not in text, name
    assert text, "%s: empty file" % name
    rows = list(csv.reader(text.splitlines(True)))
    header = rows[0]
    assert len(set(header)) == len(header), name
    assert set(header) <= ALLOWED[name], (name, set(header) - ALLOWED[name])
    assert REQUIRED[name] <= set(header), (name, REQUIRED[name] - set(header))
    out = []
    for i, row in enumerate(rows[1:], start=2):
        assert len(row) == len(header), (name, i)
        d = dict(zip(header, row))
        for c in ALLOWED[name]:
            d.setdefault(c, "")
        d["_line"] = i
        out.append(d)
    return out


def valid_date(s):
    if not DATE_RE.match(s):
        return False
    try:
        datetime.date(int(s[:4]), int(s[5:7]), int(s[8:10]))
    except ValueError:
        return False
    return True


def check_decimal(s, max_decimals=None):
    if not DECIMAL_RE.match(s):
        return False
    if max_decimals is not None and "." in s and len(s.split(".")[1]) > max_decimals:
        return False
    return Decimal(s) > 0


def validate(donors, funds, targets, appeals, events, rates, entries):
    """The ledger rules of docs/data-format.md."""
    errors = []

    def err(file, row, msg):
        errors.append("%s:%s: %s" % (file, row.get("_line", "?"), msg))

    def unique(file, rows, key="id"):
        seen = set()
        for r in rows:
            if not ID_RE.match(r[key]):
                err(file, r, "bad id %r" % r[key])
            if r[key] in seen:
                err(file, r, "duplicate id %r" % r[key])
            seen.add(r[key])
        return seen

    donor_ids = unique("donors.csv", donors)
    fund_ids = unique("funds.csv", funds)
    appeal_ids = unique("appeals.csv", appeals)
    event_ids = unique("events.csv", events)
    for d in donors:
        if not d["name"]:
            err("donors.csv", d, "name missing")
        if d["type"] not in DONOR_TYPES:
            err("donors.csv", d, "bad type")
        if d["country"] and not re.match(r"^[A-Z]{3}$", d["country"]):
            err("donors.csv", d, "bad country")
        if d["type"] in ("member_state", "subnational_government") and not d["country"]:
            err("donors.csv", d, "country required")
    for f in funds:
        if f["category"] not in FUND_CATEGORIES:
            err("funds.csv", f, "bad category")
    for t in targets:
        if t["fund"] not in fund_ids:
            err("targets.csv", t, "unknown fund")
        if not (t["year_from"].isdigit() and t["year_to"].isdigit()
                and int(t["year_from"]) <= int(t["year_to"])):
            err("targets.csv", t, "bad years")
        if not check_decimal(t["amount_usd"], 2):
            err("targets.csv", t, "bad amount")
        if not valid_date(t["decided_on"]):
            err("targets.csv", t, "bad date")
    for a in appeals:
        if not check_decimal(a["requirement_usd"], 2) or not valid_date(a["launched_on"]):
            err("appeals.csv", a, "bad appeal")
        if a["countries"] and not a["countries"].isdigit():
            err("appeals.csv", a, "bad countries")
    for e in events:
        if not valid_date(e["held_on"]):
            err("events.csv", e, "bad date")
    rate_keys = set()
    for r in rates:
        if r["currency"] not in EXPONENT or r["currency"] == "USD":
            err("rates.csv", r, "unexpected currency")
        if not MONTH_RE.match(r["month"]) or not 1 <= int(r["month"][5:]) <= 12:
            err("rates.csv", r, "bad month")
        if not check_decimal(r["units_per_usd"], 6):
            err("rates.csv", r, "bad rate")
        k = (r["currency"], r["month"])
        if k in rate_keys:
            err("rates.csv", r, "duplicate rate")
        rate_keys.add(k)
    used = sorted({e["currency"] for e in entries} - {"USD"})
    for cur in used:
        for m in months():
            if (cur, m) not in rate_keys:
                errors.append("rates.csv: no rate for %s %s" % (cur, m))

    unique("entries.csv", entries)
    by_id = {e["id"]: e for e in entries}
    for e in entries:
        f = "entries.csv"
        if e["kind"] not in KINDS:
            err(f, e, "bad kind")
        if e["donor"] not in donor_ids:
            err(f, e, "unknown donor")
        if e["fund"] not in fund_ids:
            err(f, e, "unknown fund")
        if e["currency"] not in EXPONENT:
            err(f, e, "unknown currency")
            continue
        if not check_decimal(e["amount"], EXPONENT[e["currency"]]):
            err(f, e, "bad amount %r" % e["amount"])
        if not valid_date(e["value_date"]):
            err(f, e, "bad value_date")
        if not "2019-01-01" <= e["value_date"] <= "2021-12-31":
            err(f, e, "value_date outside 2019-2021")
        if e["recorded_at"]:
            if not (valid_date(e["recorded_at"]) or (TIME_RE.match(e["recorded_at"])
                                                     and valid_date(e["recorded_at"][:10]))):
                err(f, e, "bad recorded_at")
            elif e["recorded_at"][:10] < e["value_date"]:
                err(f, e, "recorded before its value date")
        if e["currency"] != "USD" and (e["currency"], e["value_date"][:7]) not in rate_keys:
            err(f, e, "no rate")
        if e["attributed_year"] and not re.match(r"^\d{4}$", e["attributed_year"]):
            err(f, e, "bad attributed_year")
        if e["region"] and e["region"] not in REGIONS:
            err(f, e, "bad region")
        if e["country"] and not re.match(r"^[A-Z]{3}$", e["country"]):
            err(f, e, "bad country")
        if e["programme"] and not ID_RE.match(e["programme"]):
            err(f, e, "bad programme")
        if e["appeal"] and e["appeal"] not in appeal_ids:
            err(f, e, "unknown appeal")
        if e["event"] and e["event"] not in event_ids:
            err(f, e, "unknown event")
        if e["channel"] and e["channel"] not in CHANNELS:
            err(f, e, "bad channel")
        if e["probability"]:
            if e["kind"] != "expected":
                err(f, e, "probability only for expected")
            elif not (re.match(r"^(0(\.\d{1,6})?|1(\.0{1,6})?)$", e["probability"])):
                err(f, e, "bad probability")
        if e["settles"]:
            if e["kind"] not in ("receipt", "write_off"):
                err(f, e, "settles only for receipt and write_off")
            t = by_id.get(e["settles"])
            if t is None:
                err(f, e, "settles unknown entry")
            else:
                allowed = ("pledge",) if e["kind"] == "receipt" else ("pledge", "expected")
                if t["kind"] not in allowed:
                    err(f, e, "settles a %s" % t["kind"])
                if (t["donor"], t["fund"], t["currency"]) != (e["donor"], e["fund"],
                                                              e["currency"]):
                    err(f, e, "settles an entry of another donor, fund or currency")
                if t["value_date"] > e["value_date"]:
                    err(f, e, "settles a later entry")
        if e["kind"] == "reversal":
            t = by_id.get(e["reverses"])
            if t is None:
                err(f, e, "reverses unknown entry")
            else:
                if t["kind"] == "reversal":
                    err(f, e, "reverses a reversal")
                if (t["donor"], t["fund"], t["amount"], t["currency"]) != \
                        (e["donor"], e["fund"], e["amount"], e["currency"]):
                    err(f, e, "reversal does not repeat donor, fund, amount, currency")
                if t["value_date"] > e["value_date"]:
                    err(f, e, "reversal before the entry it reverses")
        elif e["reverses"]:
            err(f, e, "reverses only for reversal")
    # each entry reversed at most once; settled pledges are not reversed
    reversed_ids = [e["reverses"] for e in entries if e["kind"] == "reversal"]
    if len(set(reversed_ids)) != len(reversed_ids):
        errors.append("entries.csv: an entry is reversed twice")
    for rid in reversed_ids:
        for e in entries:
            if e["settles"] == rid and e["id"] not in reversed_ids:
                errors.append("entries.csv: %s is reversed but %s still settles it"
                              % (rid, e["id"]))
    # no over-settlement, at any time (walk in value-date order)
    settled = {}
    live = [e for e in entries if e["id"] not in set(reversed_ids)]
    for e in sorted(live, key=lambda e: (e["value_date"], e["id"])):
        if e["settles"] and e["kind"] in ("receipt", "write_off"):
            t = by_id[e["settles"]]
            if t["id"] in reversed_ids:
                errors.append("entries.csv: %s settles reversed %s" % (e["id"], t["id"]))
            settled[t["id"]] = settled.get(t["id"], Decimal(0)) + Decimal(e["amount"])
            if settled[t["id"]] > Decimal(t["amount"]):
                errors.append("entries.csv: %s over-settled by %s" % (t["id"], e["id"]))
    return errors


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

FAILURES = []


def check(label, cond):
    if not cond:
        FAILURES.append(label)
        print("  MISMATCH: %s" % label)


def show_m(label, cents, want=None):
    r = millions(cents)
    print("  %-58s USD %16s  -> %s M" % (label, cents_str(cents), r))
    if want is not None:
        check("%s = %s M (got %s)" % (label, want, r), r == Decimal(want))
        # comfortably inside the rounding interval: within 0.035 M of the value
        check("%s comfortably inside" % label,
              abs(Decimal(cents) / Decimal(10 ** 8) - Decimal(want)) <= Decimal("0.035"))


def show_pct(label, num, den, want=None):
    r = percent(num, den)
    exact = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.0001"))
    print("  %-58s %s %% -> %s %%" % (label, exact, r))
    if want is not None:
        check("%s = %s %% (got %s)" % (label, want, r), r == Decimal(want))
        check("%s comfortably inside" % label, abs(exact - Decimal(want)) <= Decimal("0.35"))


def report(L):
    name = lambda d: L.donors[d]["name"]

    # -- A ----------------------------------------------------------------------
    print("A. Income 2021 as of 2021-06-30 (gross basis)")
    want = {CORE: ("1.2", "12"), EARMARKED: ("12.2", "28"), TC: ("42.8", "28")}
    tg = {CORE: 1000000000, EARMARKED: 4360000000, TC: 15290000000}
    for fund in (CORE, EARMARKED, TC):
        rec, prior, net, target = L.income(fund, 2021, "2021-06-30")
        check("A target %s" % fund, target == tg[fund])
        show_m("%s received" % fund, rec, want[fund][0])
        if fund == CORE:
            show_m("%s of which prior-year" % fund, prior, "0.5")
            show_m("%s net" % fund, net)
        show_m("%s target in force" % fund, target)
        show_pct("%s share (gross)" % fund, rec, target, want[fund][1])

    # -- B ----------------------------------------------------------------------
    print("B. Table 1, Member States, 2021 as of 2021-06-30")
    ms = ("member_state", "regional_organization")
    want_b = {
        CORE: ["Mexico", "China", "South Africa", "Egypt", "Philippines", "Japan", "Barbados",
               "Mali", "Algeria", "Malawi"],
        EARMARKED: ["Switzerland", "Japan", "China", "Poland", "Kuwait", "Jordan",
                    "European Union", "Israel", "Italy"],
        TC: ["Japan", "Ethiopia", "Spain", "Denmark", "China", "Republic of Korea", "India"],
    }
    for fund in (CORE, EARMARKED, TC):
        rows = L.top(fund, 2021, "2021-06-30", ms)
        print("  %s (%d Member State donors)" % (fund, len(rows)))
        for i, (d, c, pr) in enumerate(rows[:10], 1):
            print("    %2d. %-28s USD %14s" % (i, name(d) + ("*" if pr else ""), cents_str(c)))
        got = [name(d) for d, _, _ in rows[:10]]
        check("B %s order %s" % (fund, got), got == want_b[fund])
        if fund != CORE:
            check("B %s exactly %d donors" % (fund, len(want_b[fund])),
                  len(rows) == len(want_b[fund]))
        else:
            starred = [name(d) for d, _, pr in rows[:10] if pr]
            check("B core prior-year marks %s" % starred, starred == ["Mexico", "Philippines"])
        # strictly ordered (no ties decided by name among the listed)
        amounts = [c for _, c, _ in rows[:10]]
        check("B %s strict order" % fund, all(a > b for a, b in zip(amounts, amounts[1:])))
    print("  all donors, 2021 as of 2021-06-30 (non-Member-States marked +)")
    for fund in (CORE, EARMARKED, TC):
        rows = L.top(fund, 2021, "2021-06-30")
        print("   ", fund, ", ".join(name(d) + ("+" if L.donors[d]["type"] not in ms else "")
                                      for d, _, _ in rows[:10]))

    # -- C ----------------------------------------------------------------------
    print("C. Regions, 2021 as of 2021-06-30")
    regs = L.regions(2021, "2021-06-30")
    for r, c in regs:
        print("  %-58s USD %16s  -> %s M" % (r, cents_str(c), millions(c)))
    check("C africa largest", regs[0][0] == "africa")
    check("C africa clearly largest", regs[0][1] * 10 >= regs[1][1] * 12)
    check("C africa above global", dict(regs)["africa"] > dict(regs)["global"])
    eth = sum(L.usd[e["id"]] for e in L.receipts_in_year(2021, "2021-06-30", TC)
              if e["donor"] == "ethiopia" and e["region"] == "africa")
    print("  %-58s USD %16s" % ("of which Ethiopia (TC, spatial development plans)",
                                cents_str(eth)))

    # -- D ----------------------------------------------------------------------
    print("D. Forecast 2021, core, as of 2021-08-19")
    rec, pl, ex, unw = L.forecast(CORE, 2021, "2021-08-19")
    show_m("received (attributed to 2021)", rec, "0.8")
    show_m("pledged (open balance)", pl, "1.6")
    show_m("expected (probability-weighted)", ex, "0.9")
    show_m("expected (unweighted)", unw)
    show_m("forecast total", rec + pl + ex, "3.3")
    past = {e["donor"] for e in L.entries if e["kind"] == "receipt"
            and e["value_date"] < "2021-01-01"}
    exp_donors = {e["donor"] for e in L.snapshot("2021-08-19") if e["kind"] == "expected"
                  and e["fund"] == CORE and L.attributed(e) == 2021}
    check("D expectations from past Member State donors",
          all(d in past and L.donors[d]["type"] == "member_state" for d in exp_donors))

    # -- E ----------------------------------------------------------------------
    print("E. Income 2020 as of 2020-12-31")
    rec, prior, net, target = L.income(CORE, 2020, "2020-12-31")
    check("E core target", target == 1890000000)
    show_m("core received", rec, "4.3")
    show_m("core of which prior-year", prior, "0.3")
    show_m("core net", net, "4.0")
    show_m("core target in force", target)
    show_pct("core share (net)", net, target, "21")
    show_pct("core share (gross, for reference)", rec, target)
    for fund, wm, wp, tgt in ((EARMARKED, "53.2", "84", 6330000000),
                              (TC, "138.3", "94", 14710000000)):
        rec, prior, net, target = L.income(fund, 2020, "2020-12-31")
        check("E target %s" % fund, target == tgt)
        show_m("%s received" % fund, rec, wm)
        show_m("%s target in force" % fund, target)
        show_pct("%s share (gross)" % fund, rec, target, wp)
    for prog, wm in (("gltn", "2.0"), ("psup", "1.5"), ("climate_resilience", "12.5")):
        c = sum(L.usd[e["id"]] for e in L.receipts_in_year(2020, "2020-12-31")
                if e["programme"] == prog)
        show_m("programme %s received in 2020" % prog, c, wm)
    af = sum(L.usd[e["id"]] for e in L.receipts_in_year(2020, "2020-12-31")
             if e["programme"] == "climate_resilience" and e["donor"] != "adaptation_fund")
    check("climate resilience 2020 all from the Adaptation Fund", af == 0)

    # -- F ----------------------------------------------------------------------
    print("F. Event pcsu2020, report year 2020 as of 2020-12-31")
    total, by_cat, years = L.event("pcsu2020", "2020-12-31")
    show_m("pledges announced, total", total, "164.1")
    for cat in ("core", "earmarked", "technical_cooperation"):
        show_m("  %s" % cat, by_cat.get(cat, 0), "1.1" if cat == "core" else None)
    check("F mostly earmarked/TC", by_cat["core"] * 10 < total)
    check("F attributed to 2021-2023 %s" % sorted(years), years <= {2021, 2022, 2023})
    core_years = {L.attributed(e) for e in L.entries
                  if e["kind"] == "pledge" and e["event"] == "pcsu2020" and e["fund"] == CORE}
    check("F core pledges attributed to 2021", core_years == {2021})
    check("F event held in 2020", L.events["pcsu2020"]["held_on"][:4] == "2020")

    # -- G ----------------------------------------------------------------------
    print("G. Appeal covid19 as of 2020-11-30")
    req, mob, gap, ch = L.appeal("covid19", "2020-11-30")
    show_m("requirement", req, "72.0")
    show_m("mobilized", mob, "22.1")
    for c in ("new_contribution", "reprogrammed", "internal_emergency_fund", "new_pledge"):
        show_m("  %s" % c, ch.get(c, 0))
        check("G channel %s present" % c, ch.get(c, 0) > 0)
    check("G only four channels", set(ch) == {"new_contribution", "reprogrammed",
                                               "internal_emergency_fund", "new_pledge"})
    show_m("gap", gap, "49.9")
    show_pct("coverage", mob, req)
    check("G countries 64", L.appeals["covid19"]["countries"] == "64")
    check("G launched April 2020", L.appeals["covid19"]["launched_on"][:7] == "2020-04")

    # -- H ----------------------------------------------------------------------
    print("H. Concentration 2019 as of 2019-12-31")
    top10, total, ranked, totals, hhi = L.concentration(2019, "2019-12-31")
    for i, d in enumerate(ranked[:12], 1):
        print("    %2d. %-36s USD %16s" % (i, name(d), cents_str(totals[d])))
    show_m("top 10 donors", top10)
    show_m("all donors (%d)" % len(ranked), total)
    show_pct("top-10 share", top10, total, "82")
    check("H 10th strictly above 11th", totals[ranked[9]] > totals[ranked[10]])
    print("  %-58s %s" % ("Herfindahl-Hirschman index", hhi.quantize(Decimal("0.000001"))))

    # -- I ----------------------------------------------------------------------
    print("I. Table 2, all donors, 2019 as of 2019-12-31")
    want_i = {
        EARMARKED: ["Sweden", "European Union", "Germany", "United Arab Emirates", "Japan",
                    "Morocco", "Bill & Melinda Gates Foundation", "Block by Block Foundation",
                    "UN entities", "United Kingdom"],
        TC: ["European Union", "Japan", "Adaptation Fund", "UN entities", "Sweden", "Norway",
             "Awash Welday General Contractor", "Government of Alagoas State",
             "Alwaleed Philanthropies", "Qatar"],
    }
    for fund in (EARMARKED, TC):
        rows = L.top(fund, 2019, "2019-12-31")
        print("  %s (%d donors)" % (fund, len(rows)))
        for i, (d, c, pr) in enumerate(rows[:11], 1):
            mark = "" if L.donors[d]["type"] in ms else "  (non-Member-State)"
            print("    %2d. %-36s USD %14s%s" % (i, name(d), cents_str(c), mark))
        got = [name(d) for d, _, _ in rows[:10]]
        check("I %s order %s" % (fund, got), got == want_i[fund])
        amounts = [c for _, c, _ in rows[:11]]
        check("I %s strict order" % fund, all(a > b for a, b in zip(amounts, amounts[1:])))

    # -- target history -------------------------------------------------------------
    print("Target history")
    for year, as_of in ((2020, "2020-12-31"), (2021, "2021-06-30")):
        print("  year %d as of %s" % (year, as_of))
        for t, prev in L.target_history(year, as_of):
            print("    %-22s %s-%s  %12s (replaces %s) decided %s" % (
                t["fund"], t["year_from"], t["year_to"], t["amount_usd"], prev or "-",
                t["decided_on"]))
    h = [(t["amount_usd"], prev) for t, prev in L.target_history(2021, "2021-06-30")
         if t["fund"] == CORE and t["year_from"] == "2020" and t["year_to"] == "2023"]
    check("core 2020-2023 target revised 109 M -> 41 M",
          h == [("109000000", None), ("41000000", "109000000")])


def main():
    # --out DIR writes elsewhere (the test suite regenerates into a temporary
    # directory and compares the bytes with the committed sample).
    global OUT
    if len(sys.argv) == 3 and sys.argv[1] == "--out":
        OUT = os.path.abspath(sys.argv[2])
    elif len(sys.argv) != 1:
        print("usage: build_unhabitat_2021.py [--out DIR]", file=sys.stderr)
        return 2
    os.makedirs(OUT, exist_ok=True)
    donors = [dict(zip(DONOR_COLUMNS, d)) for d in DONORS]
    funds = [dict(zip(FUND_COLUMNS, f)) for f in FUNDS]
    targets = [dict(zip(TARGET_COLUMNS, [str(x) for x in t])) for t in TARGETS]
    appeals = [dict(zip(APPEAL_COLUMNS, a)) for a in APPEALS]
    events = [dict(zip(EVENT_COLUMNS, e)) for e in EVENTS]
    rates = build_rates()
    b = build_entries(donors, funds, targets, appeals, events, rates)
    entries = assign_ids(b.rows)

    counts = {
        "donors.csv": write_csv("donors.csv", DONOR_COLUMNS, donors),
        "funds.csv": write_csv("funds.csv", FUND_COLUMNS, funds),
        "targets.csv": write_csv("targets.csv", TARGET_COLUMNS, targets),
        "appeals.csv": write_csv("appeals.csv", APPEAL_COLUMNS, appeals),
        "events.csv": write_csv("events.csv", EVENT_COLUMNS, events),
        "rates.csv": write_csv("rates.csv", RATE_COLUMNS, rates),
        "entries.csv": write_csv("entries.csv", ENTRY_COLUMNS, entries),
    }
    print("Wrote %s" % os.path.relpath(OUT, ROOT))
    for k, v in counts.items():
        print("  %-12s %5d rows" % (k, v))

    # -- read back and check, from the files alone ---------------------------------
    files = {name: read_csv(name) for name in counts}
    errors = validate(files["donors.csv"], files["funds.csv"], files["targets.csv"],
                      files["appeals.csv"], files["events.csv"], files["rates.csv"],
                      files["entries.csv"])
    for e in errors:
        print("LEDGER ERROR: %s" % e)
    kinds = {}
    for e in files["entries.csv"]:
        kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
    print("  entries by kind: %s" % ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
    L = Ledger(files["donors.csv"], files["funds.csv"], files["targets.csv"],
               files["appeals.csv"], files["events.csv"], files["rates.csv"],
               files["entries.csv"])
    report(L)
    if errors or FAILURES:
        print("FAILED: %d ledger errors, %d figure mismatches" % (len(errors), len(FAILURES)))
        return 1
    print("all figures match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
