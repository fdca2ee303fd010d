"""The Changzhou city profile and the GB/T 4754 table: contents, lookups and validation."""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest

from czesg.engine.datafiles import DATA_DIR
from czesg.engine.kernel.errors import DataFileError
from czesg.engine.plan import (
    CITY_FILE,
    INDUSTRIES_FILE,
    CityProfile,
    Department,
    load_city_profile,
    parse_city_profile,
)

# The lead departments of every task, copied from the plan's text (常政办发〔2025〕23号), in order,
# with True for 牵头负责 and False for 按职责分工负责.
PLAN_LEADS: dict[int, tuple[list[str], bool]] = {
    1: (["市发改委", "市工信局", "市住建局", "市交通局", "市生态环境局", "市数据局"], False),
    2: (["市发改委", "市工信局", "市市场监管局"], False),
    3: (["市发改委", "市生态环境局", "市市场监管局", "常州高新区管委会", "武进高新区管委会"], False),
    4: (["市发改委", "市工信局", "市生态环境局"], False),
    5: (["市政府办", "市教育局", "市卫健委", "市民政局", "市文广旅局"], False),
    6: (["市发改委", "市工信局", "市数据局"], False),
    7: (["常州高新区管委会"], True),
    8: (["市发改委", "市工信局"], True),
    9: (["市发改委", "市住建局", "市交通局", "市城管局"], False),
    10: (["市政府办", "市发改委", "市工信局", "市国资委"], False),
    11: (["市发改委", "市工信局", "市数据局", "市市场监管局"], False),
    12: (["市政府办", "市发改委", "市工信局", "市国资委", "市市场监管局"], False),
    13: (["市发改委", "市商务局", "市市场监管局"], False),
    14: (["市发改委", "市工信局", "市科技局"], False),
    15: (["市政府办", "市发改委", "市国资委", "市财政局", "市生态环境局"], False),
    16: (["市政府办", "国家金融监管总局常州监管分局"], True),
    17: (["市委人才办", "市发改委", "市教育局", "市人社局", "市科技局"], False),
    18: (["市发改委", "市数据局", "市生态环境局"], False),
    19: (["市政府办", "市发改委", "市科技局", "国家金融监管总局常州监管分局"], False),
    20: (["市发改委", "市商务局", "市科技局", "市生态环境局", "市外事办", "常州海关"], False),
}


@pytest.fixture(scope="module")
def profile() -> CityProfile:
    return load_city_profile()


# --------------------------------------------------------------------------------------------
# The shipped data


def test_loads_and_is_cached(profile):
    assert load_city_profile() is profile
    assert profile.version == "2025.1"
    assert (profile.code, profile.name_zh, profile.name_en) == ("3204", "常州市", "Changzhou")
    assert profile.grid_region == "East China"
    assert profile.provincial_grid_region == "Jiangsu"
    assert profile.plan.document_number == "常政办发〔2025〕23号"


def test_six_divisions(profile):
    assert {d.code: (d.name_zh, d.kind) for d in profile.districts} == {
        "320402": ("天宁区", "district"),
        "320404": ("钟楼区", "district"),
        "320411": ("新北区", "district"),
        "320412": ("武进区", "district"),
        "320413": ("金坛区", "district"),
        "320481": ("溧阳市", "county_city"),
    }
    assert profile.district("320481").name_en == "Liyang City"
    with pytest.raises(KeyError):
        profile.district("320400")


def test_national_high_tech_zones(profile):
    national = {p.key: p for p in profile.parks if p.kind == "national_high_tech_zone"}
    assert set(national) == {"czhnd", "wjhnd"}
    assert national["czhnd"].name_zh == "常州国家高新技术产业开发区"
    assert national["czhnd"].district == "320411"
    assert national["wjhnd"].name_zh == "武进国家高新技术产业开发区"
    assert national["wjhnd"].district == "320412"
    assert profile.park("esg_innovation_park").parent == "czhnd"
    assert profile.park("czetdz").short_zh == "常州经开区"
    assert profile.parks_in("320411")


def test_parks_named_in_task_20_are_present(profile):
    names = {p.name_zh for p in profile.parks}
    assert {"中以常州创新园", "中欧(常州)绿色创新园", "中德(常州)创新产业园"} <= names


def test_unconfirmed_entries_explain_themselves(profile):
    for park in profile.parks:
        if not park.confidence.startswith("confirmed"):
            assert park.notes, park.key


def test_exactly_twenty_tasks_with_departments_resolved(profile):
    assert [t.number for t in profile.tasks] == list(range(1, 21))
    for task in profile.tasks:
        assert task.lead_departments
        assert all(isinstance(d, Department) for d in task.lead_departments)
        assert all(profile.department(d.key) is d for d in task.lead_departments)
        assert [d.key for d in task.implementing_bodies] == [
            "district_governments", "czetdz_committee",
        ]
        assert task.source == f"常政办发〔2025〕23号 二、重点任务 第{task.number}条"
        assert task.confidence == "confirmed-primary"
    assert [t.group for t in profile.tasks] == [1] * 3 + [2] * 3 + [3] * 3 + [4] * 3 + [5] * 5 + [6] * 3


@pytest.mark.parametrize("number", sorted(PLAN_LEADS))
def test_lead_departments_are_those_of_the_plan(profile, number):
    names, lead = PLAN_LEADS[number]
    task = profile.task(number)
    assert [d.name_zh for d in task.lead_departments] == names
    assert task.lead_mode == ("lead" if lead else "joint")


def test_spot_checked_tasks(profile):
    assert profile.task(3).lead_department_keys == (
        "drc", "ecology_environment", "market_regulation", "czhnd_committee", "wjhnd_committee",
    )
    assert profile.task(3).platform_features == ("park_evaluation",)
    assert profile.task(7).lead_department_keys == ("czhnd_committee",)
    assert profile.task(7).lead_mode == "lead"
    assert profile.task(7).title_zh == "打造长三角(常州)ESG国际产业创新园"
    assert profile.task(11).lead_department_keys == (
        "drc", "industry_it", "data", "market_regulation",
    )
    assert profile.task(11).platform_features == ("disclosure", "data_centre")
    assert profile.task(16).lead_department_keys == ("gov_office", "nfra_changzhou")
    assert profile.task(16).lead_mode == "lead"
    assert profile.task(16).platform_features == ("green_score",)
    assert profile.tasks_with_feature("carbon") == (profile.task(4), profile.task(8), profile.task(14))
    assert profile.task(11) in profile.tasks_of_department("data")


def test_six_targets_with_the_plan_values(profile):
    assert {t.key: (t.value, t.unit, t.comparator, t.year, t.measured_by) for t in profile.targets} == {
        "listed_disclosure_rate": (60, "%", ">=", 2027, "platform"),
        "standards": (30, "count", ">=", 2027, "registry"),
        "a_rated_enterprises": (40, "count", ">=", 2027, "platform"),
        "service_agencies": (10, "count", ">=", 2027, "registry"),
        "key_projects": (250, "count/year", ">=", 2027, "registry"),
        "talent": (10000, "persons/year", ">=", 2027, "registry"),
    }
    for target in profile.targets:
        assert target.source == "常州市人民政府办公室 常政办发〔2025〕23号, 一、主要目标"
        assert target.confidence == "confirmed-primary"
    assert profile.target("listed_disclosure_rate").is_met(60)
    assert not profile.target("listed_disclosure_rate").is_met(59.9)
    assert [t.key for t in profile.targets_measured_by("platform")] == [
        "listed_disclosure_rate", "a_rated_enterprises",
    ]


def test_industry_table_shape(profile):
    by_level: dict[str, list[str]] = {}
    for industry in profile.industries:
        by_level.setdefault(industry.level, []).append(industry.code)
    assert by_level["section"] == list("ABCDEFGHIJKLMNOPQRST")
    assert {f"C{n}" for n in range(13, 44)} <= set(by_level["division"])
    assert len(by_level["class"]) >= 40
    for code in by_level["class"]:
        entry = profile.industry(code)
        assert profile.industry(entry.parent).level in {"division", "group"}


def test_industry_lookups(profile):
    assert profile.industry("C3841").name_zh == "锂离子电池制造"
    assert profile.industry("3841") == profile.industry("c3841")
    assert profile.lead_industry_of("C3841").key == "battery"
    assert profile.lead_industry_of("C3612").key == "nev"
    assert profile.lead_industry_of("C3825").key == "pv"
    assert profile.lead_industry_of("C3421").key == "equipment"  # from division C34
    assert profile.lead_industry_of("C2651").key == "materials"  # from division C26
    assert profile.lead_industry_of("J6621").key == "finance"  # from section J
    assert profile.lead_industry_of("C3611").key == "manufacturing"  # petrol cars are not NEV
    assert profile.division_of("C3841").code == "C38"
    assert profile.section_of("C3841").code == "C"
    assert profile.division_of("C") is None
    # A well-formed class that the table does not list still resolves through its division.
    assert profile.division_of("C3859").code == "C38"
    assert profile.lead_industry_of("C3859") is None
    assert profile.lead_industry_of("C3399").key == "manufacturing"
    with pytest.raises(KeyError):
        profile.industry("C3859")
    with pytest.raises(KeyError):
        profile.industry("Z12")


def test_every_manufacturing_class_has_a_lead_industry(profile):
    for industry in profile.industries:
        if industry.level == "class" and industry.code.startswith("C"):
            assert profile.lead_industry_of(industry.code) is not None, industry.code


# --------------------------------------------------------------------------------------------
# Validation


def _task(number: int) -> str:
    return f"""
[[task]]
number = {number}
group = 1
group_zh = "建立ESG治理体系"
group_en = "Governance"
title_zh = "任务{number}"
title_en = "Task {number}"
summary_zh = "摘要"
summary_en = "Summary"
lead_departments = ["drc"]
lead_mode = "joint"
platform_features = []
source = "plan"
confidence = "confirmed-primary"
"""


MINIMAL_TOML = """
version = "test"

[city]
code = "3204"
name_zh = "常州市"
name_en = "Changzhou"
province_zh = "江苏省"
province_en = "Jiangsu"
grid_region = "East China"
provincial_grid_region = "Jiangsu"
source = "GB/T 2260"
confidence = "confirmed-secondary"

[plan]
document_number = "常政办发〔2025〕23号"
title_zh = "方案"
title_en = "Plan"
issuer_zh = "常州市人民政府办公室"
issued = "2025-07-15"
published = "2025-07-16"
period_start = 2025
period_end = 2027
source = "plan"
confidence = "confirmed-primary"

[[district]]
code = "320411"
name_zh = "新北区"
name_en = "Xinbei District"
kind = "district"
source = "GB/T 2260"
confidence = "confirmed-secondary"

[[park]]
key = "czhnd"
name_zh = "常州国家高新技术产业开发区"
name_en = "Changzhou National Hi-Tech Zone"
kind = "national_high_tech_zone"
district = "320411"
source = "plan"
confidence = "confirmed-secondary"

[[department]]
key = "drc"
name_zh = "市发改委"
name_en = "Municipal Development and Reform Commission"
source = "plan"
confidence = "confirmed-primary"

[[target]]
key = "standards"
name_zh = "标准"
name_en = "Standards"
value = 30
unit = "count"
comparator = ">="
year = 2027
measured_by = "registry"
source = "plan"
confidence = "confirmed-primary"

[[lead_industry]]
key = "battery"
name_zh = "动力电池"
name_en = "Batteries"
source = "plan"
confidence = "analyst-judgement"
""" + "".join(_task(n) for n in range(1, 21))

MINIMAL_CSV = (
    "code,level,name_zh,name_en,parent,lead_industry,source,confidence\n"
    "C,section,制造业,Manufacturing,,,GB/T 4754-2017,confirmed-secondary\n"
    "C38,division,电气机械和器材制造业,Electrical machinery,C,,GB/T 4754-2017,confirmed-secondary\n"
    "C3841,class,锂离子电池制造,Lithium-ion batteries,C38,battery,GB/T 4754-2017,confirmed-secondary\n"
)

SECOND_DISTRICT = """
[[district]]
code = "320411"
name_zh = "新北区"
name_en = "Xinbei District"
kind = "district"
source = "GB/T 2260"
confidence = "confirmed-secondary"
"""

SECOND_PARK = """
[[park]]
key = "czhnd"
name_zh = "again"
name_en = "again"
kind = "industrial_park"
source = "plan"
confidence = "analyst-judgement"
"""

TOML = "city/test.toml"
CSV = "industries/test.csv"


def _parse(toml_text: str = MINIMAL_TOML, csv_text: str = MINIMAL_CSV) -> CityProfile:
    return parse_city_profile(toml_text, csv_text, toml_name=TOML, csv_name=CSV)


def _toml(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    return change


def _append(extra: str) -> Callable[[str], str]:
    return lambda text: text + extra


def _last_task(new_number: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        head, _, tail = text.rpartition("number = 20\n")
        return head + new_number + tail

    return change


def test_minimal_files_parse():
    profile = _parse()
    assert len(profile.tasks) == 20
    assert profile.lead_industry_of("3841").key == "battery"


TOML_CASES = [
    ("duplicate district code", _append(SECOND_DISTRICT), "district[2]", "code"),
    ("district code not six digits", _toml('code = "320411"', 'code = "32041"'), "district[1]", "code"),
    ("district code not digits", _toml('code = "320411"', 'code = "32041X"'), "district[1]", "code"),
    ("district outside the city", _toml('code = "320411"', 'code = "320111"'), "district[1]", "code"),
    ("bad district kind", _toml('kind = "district"', 'kind = "county"'), "district[1]", "kind"),
    ("missing district source", _toml('source = "GB/T 2260"\nconfidence = "confirmed-secondary"\n\n[[park]]', 'confidence = "confirmed-secondary"\n\n[[park]]'), "district[1]", "source"),
    ("duplicate park key", _append(SECOND_PARK), "park[2]", "key"),
    ("park in unknown district", _toml('district = "320411"', 'district = "320499"'), "park[1]", "district"),
    ("park district badly formed", _toml('district = "320411"', 'district = "xinbei"'), "park[1]", "district"),
    ("park with unknown parent", _toml('district = "320411"', 'district = "320411"\nparent = "nowhere"'), "park[1]", "parent"),
    ("bad park kind", _toml('kind = "national_high_tech_zone"', 'kind = "zone"'), "park[1]", "kind"),
    ("park key not a slug", _toml('key = "czhnd"', 'key = "Changzhou HND"'), "park[1]", "key"),
    ("missing park confidence", _toml('district = "320411"\nsource = "plan"\nconfidence = "confirmed-secondary"', 'district = "320411"\nsource = "plan"'), "park[1]", "confidence"),
    ("unknown confidence level", _toml('confidence = "confirmed-secondary"\n\n[[department]]', 'confidence = "pretty sure"\n\n[[department]]'), "park[1]", "confidence"),
    ("empty source", _toml('source = "plan"\nconfidence = "confirmed-primary"\n\n[[target]]', 'source = ""\nconfidence = "confirmed-primary"\n\n[[target]]'), "department[1]", "source"),
    ("duplicate department key", _append('\n[[department]]\nkey = "drc"\nname_zh = "x"\nname_en = "x"\nsource = "s"\nconfidence = "confirmed-primary"\n'), "department[2]", "key"),
    ("task names unknown department", _toml('lead_departments = ["drc"]', 'lead_departments = ["drc", "nobody"]'), "task[1]", "lead_departments"),
    ("task without departments", _toml('lead_departments = ["drc"]', "lead_departments = []"), "task[1]", "lead_departments"),
    ("task implemented by unknown body", _toml('lead_mode = "joint"', 'lead_mode = "joint"\nimplementing_bodies = ["nobody"]'), "task[1]", "implementing_bodies"),
    ("bad lead mode", _toml('lead_mode = "joint"', 'lead_mode = "solo"'), "task[1]", "lead_mode"),
    ("task number used twice", _last_task("number = 19\n"), "task[20]", "number"),
    ("task 20 missing", lambda text: text.rsplit("\n[[task]]", 1)[0], "task", "number"),
    ("task number out of range", _last_task("number = 21\n"), "task[20]", "number"),
    ("task number not an integer", _last_task('number = "20"\n'), "task[20]", "number"),
    ("bad feature tag", _toml("platform_features = []", 'platform_features = ["Green Score"]'), "task[1]", "platform_features"),
    ("target value not a number", _toml("value = 30", 'value = "30"'), "target[1]", "value"),
    ("bad target unit", _toml('unit = "count"', 'unit = "pieces"'), "target[1]", "unit"),
    ("bad measured_by", _toml('measured_by = "registry"', 'measured_by = "guess"'), "target[1]", "measured_by"),
    ("duplicate lead industry", _append('\n[[lead_industry]]\nkey = "battery"\nname_zh = "x"\nname_en = "x"\nsource = "s"\nconfidence = "analyst-judgement"\n'), "lead_industry[2]", "key"),
    ("unknown field", _toml('name_en = "Xinbei District"', 'name_en = "Xinbei District"\nname_fr = "Xinbei"'), "district[1]", "name_fr"),
    ("city code malformed", _toml('code = "3204"', 'code = "32"'), "city", "code"),
    ("not TOML", _append("\n[[park]\n"), MINIMAL_TOML.count("\n") + 2, "-"),
]


@pytest.mark.parametrize(
    "change, row, field", [case[1:] for case in TOML_CASES], ids=[case[0] for case in TOML_CASES]
)
def test_toml_errors_name_file_entry_and_field(change, row, field):
    with pytest.raises(DataFileError) as excinfo:
        _parse(toml_text=change(MINIMAL_TOML))
    params = excinfo.value.params
    assert (params["file"], params["row"], params["field"]) == (TOML, row, field)
    assert str(excinfo.value).startswith(f"{TOML}, row {row}, field {field}: ")


def test_all_tasks_missing_is_refused():
    text = MINIMAL_TOML.split("\n[[task]]", 1)[0]
    with pytest.raises(DataFileError) as excinfo:
        _parse(toml_text=text)
    assert excinfo.value.params["field"] == "number"
    assert excinfo.value.params["row"] == "task"
    assert "missing 1, 2" in excinfo.value.params["reason"]


def _csv_row(row: str) -> Callable[[str], str]:
    return lambda text: text + row + "\n"


def _csv(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    return change


CLASS = "C3841,class,锂离子电池制造,Lithium-ion batteries,C38,battery,GB/T 4754-2017,confirmed-secondary"

CSV_CASES = [
    ("unknown lead industry", _csv(",C38,battery,", ",C38,rockets,"), 4, "lead_industry"),
    ("duplicate code", _csv_row(CLASS), 5, "code"),
    ("class code with three digits", _csv("C3841,class", "C384,class"), 4, "code"),
    ("class code with five digits", _csv("C3841,class", "C38411,class"), 4, "code"),
    ("section letter outside A-T", _csv("C,section", "Z,section"), 2, "code"),
    ("division code with one digit", _csv("C38,division", "C3,division"), 3, "code"),
    ("unknown level", _csv("C3841,class", "C3841,subclass"), 4, "level"),
    ("class whose parent is missing", _csv_row("C3612,class,新能源车整车制造,NEV,C36,,GB/T 4754-2017,confirmed-secondary"), 5, "parent"),
    ("class without a parent", _csv(",C38,battery,", ",,battery,"), 4, "parent"),
    ("class directly under a section", _csv(",C38,battery,", ",C,battery,"), 4, "parent"),
    ("parent that is not a prefix", _csv(",C38,battery,", ",D44,battery,"), 4, "parent"),
    ("parent not coarser", _csv_row("C3842,class,镍氢电池制造,NiMH,C3841,battery,GB/T 4754-2017,confirmed-secondary"), 5, "parent"),
    ("section with a parent", _csv("C,section,制造业,Manufacturing,,", "C,section,制造业,Manufacturing,A,"), 2, "parent"),
    ("missing source", _csv("battery,GB/T 4754-2017,", "battery,,"), 4, "source"),
    ("missing confidence", _csv(CLASS, CLASS.removesuffix("confirmed-secondary")), 4, "confidence"),
    ("unknown confidence", _csv(CLASS, CLASS.replace("confirmed-secondary", "certain")), 4, "confidence"),
    ("missing name", _csv("锂离子电池制造", ""), 4, "name_zh"),
    ("too few fields", _csv_row("C3842,class,镍氢电池制造"), 5, "name_en"),
    ("bad header", _csv("code,level", "kode,level"), 1, "code"),
    ("division number reused", _csv_row("D38,division,x,x,D,,GB/T 4754-2017,confirmed-secondary"), 5, "code"),
]


@pytest.mark.parametrize(
    "change, row, field", [case[1:] for case in CSV_CASES], ids=[case[0] for case in CSV_CASES]
)
def test_csv_errors_name_file_row_and_field(change, row, field):
    with pytest.raises(DataFileError) as excinfo:
        _parse(csv_text=change(MINIMAL_CSV))
    params = excinfo.value.params
    assert (params["file"], params["row"], params["field"]) == (CSV, row, field)


def test_load_from_directory_names_the_relative_file(tmp_path):
    shutil.copytree(DATA_DIR / "city", tmp_path / "city")
    shutil.copytree(DATA_DIR / "industries", tmp_path / "industries")
    assert load_city_profile(tmp_path).tasks == load_city_profile().tasks
    csv_path = tmp_path / INDUSTRIES_FILE
    csv_path.write_text(
        csv_path.read_text(encoding="utf-8").replace(",battery,", ",batteries,", 1),
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as excinfo:
        load_city_profile(tmp_path)
    assert excinfo.value.params["file"] == INDUSTRIES_FILE
    assert excinfo.value.params["field"] == "lead_industry"
    (tmp_path / CITY_FILE).unlink()
    with pytest.raises(DataFileError) as excinfo:
        load_city_profile(tmp_path)
    assert excinfo.value.params["file"] == CITY_FILE
