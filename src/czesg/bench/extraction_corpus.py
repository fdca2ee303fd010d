"""A corpus of report PDFs made with WeasyPrint in the layouts real reports use, each with the
figures it prints (the ground truth of the extraction's tests and of ``czesg bench extraction``).

Layouts: a Chinese table with a prior-year column and 万吨 / 亿元 / 万立方米 units; an English
table with a unit column; two-column prose in Chinese and English; a table split over two pages
(its year header only on the first); a summary page whose Scope 1 differs from the table's and
whose total GHG is not Scope 1 + Scope 2, with a GRI content index; an image-only (scanned) page. The figures are invented
for the tests (synthetic, like every generated figure of czesg).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

YEAR = 2024
FONT = "'Noto Sans CJK SC', 'Noto Serif CJK SC', sans-serif"
STYLE = f"""@page {{ size: A4; margin: 2cm }}
body {{ font-family: {FONT}; font-size: 10pt }}
table {{ border-collapse: collapse; margin: 1em 0 }}
td, th {{ border: 1px solid #999; padding: 3px 8px; text-align: left }}
.cols {{ column-count: 2; column-gap: 1.2cm }}
.filler td {{ color: #444 }}"""


@dataclass(frozen=True)
class Expected:
    """A figure a report prints for the reporting year: indicator, value in the canonical unit,
    and the page it is printed on."""

    indicator: str
    value: float
    page: int


@dataclass(frozen=True)
class CorpusReport:
    """One generated report: its name, PDF bytes, reporting year and printed figures."""

    name: str
    pdf: bytes
    year: int
    expected: tuple[Expected, ...]
    pages: int


def _pdf(body: str) -> bytes:
    from weasyprint import HTML  # heavy; only the corpus needs it

    return HTML(string=f"<html><head><meta charset='utf-8'><style>{STYLE}</style></head>"
                       f"<body>{body}</body></html>").write_pdf()


def _rows(rows: list[tuple[str, ...]]) -> str:
    return "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)


def zh_table() -> CorpusReport:
    """A Chinese key-figures table: unit column, 2024 and 2023 columns, 万吨 and 亿元."""
    body = "<h1>常州示例科技股份有限公司 2024年度环境、社会及治理（ESG）报告</h1>" \
        "<h2>关键绩效表</h2><table>" + _rows([
            ("指标", "单位", "2024年", "2023年"),
            ("范围一温室气体排放量", "万吨二氧化碳当量", "１.２３４", "1.198"),
            ("范围二温室气体排放量（基于位置）", "吨二氧化碳当量", "45,678", "44,321"),
            ("范围二温室气体排放量（基于市场）", "吨二氧化碳当量", "40,012", "41,000"),
            ("范围三温室气体排放量", "万吨二氧化碳当量", "8.6", "8.1"),
            ("温室气体排放总量（范围一+范围二）", "吨二氧化碳当量", "58,018", "56,301"),
            ("温室气体排放强度", "吨二氧化碳当量/万元", "0.166", "0.17"),
            ("综合能源消费量", "吨标准煤", "21 345", "20 987"),
            ("总耗水量", "万立方米", "35.2", "33.9"),
            ("废弃物产生总量", "吨", "1,250.5", "1,302"),
            ("员工总数", "人", "3,456", "3,301"),
            ("女性员工占比", "%", "41.2", "40.8"),
            ("营业收入", "亿元", "34.95", "33.12"),
        ]) + "</table>"
    expected = (
        Expected("E-GHG-02", 12340.0, 1), Expected("E-GHG-03", 45678.0, 1),
        Expected("E-GHG-03-MKT", 40012.0, 1), Expected("E-GHG-04", 86000.0, 1),
        Expected("E-GHG-01", 58018.0, 1), Expected("E-ENG-01", 21345.0, 1),
        Expected("E-WAT-01", 352000.0, 1), Expected("E-WST-04", 1250.5, 1),
        Expected("S-EMP-01", 3456.0, 1), Expected("S-EMP-02-FPCT", 41.2, 1),
        Expected("G-GEN-01", 349500.0, 1),
    )
    return CorpusReport("zh_table", _pdf(body), YEAR, expected, 1)


def en_table() -> CorpusReport:
    """An English table: unit column, FY columns with the prior year first, tonnes, RMB million."""
    body = "<h1>Example Changzhou Materials Co., Ltd. Sustainability Report 2024</h1>" \
        "<p>Key performance indicators for the reporting period.</p><table>" + _rows([
            ("Indicator", "Unit", "FY2023", "FY2024"),
            ("Scope 1 GHG emissions", "tCO2e", "9,870", "10,215"),
            ("Scope 2 GHG emissions (location-based)", "tCO2e", "30,110", "28,904"),
            ("Total GHG emissions (Scope 1 + 2)", "tCO2e", "39,980", "39,119"),
            ("Total energy consumption", "tce", "15,020", "14,876"),
            ("Total water withdrawal", "m³", "210,400", "198,765"),
            ("Total waste generated", "tonnes", "845", "812.4"),
            ("Total number of employees", "persons", "1,980", "2,045"),
            ("Share of female employees", "%", "35.0", "36.5"),
            ("Operating revenue", "RMB million", "2,310", "2,456.8"),
        ]) + "</table>"
    expected = (
        Expected("E-GHG-02", 10215.0, 1), Expected("E-GHG-03", 28904.0, 1),
        Expected("E-GHG-01", 39119.0, 1), Expected("E-ENG-01", 14876.0, 1),
        Expected("E-WAT-01", 198765.0, 1), Expected("E-WST-04", 812.4, 1),
        Expected("S-EMP-01", 2045.0, 1), Expected("S-EMP-02-FPCT", 36.5, 1),
        Expected("G-GEN-01", 245680.0, 1),
    )
    return CorpusReport("en_table", _pdf(body), YEAR, expected, 1)


def prose_columns() -> CorpusReport:
    """Two-column prose, Chinese then English, figures inside sentences."""
    filler_zh = "公司持续完善环境管理体系，推进节能降碳技术改造，强化供应链可持续管理。" * 3
    filler_en = ("The company continued to improve its environmental management system and "
                 "invested in energy efficiency across its plants. ") * 2
    body = "<h1>2024年度社会责任报告</h1><div class='cols'>" \
        f"<p>{filler_zh}</p>" \
        "<p>报告期内，公司范围一温室气体排放量为6,543吨二氧化碳当量，范围二排放量为18,765吨二氧化碳当量。</p>" \
        f"<p>{filler_zh}</p>" \
        "<p>截至2024年末，公司员工总数为2,310人，女性员工占比为28.4%。</p>" \
        f"<p>{filler_en}</p>" \
        "<p>Total water consumption was 123,456 m³ in 2024, compared with 120,000 m³ in 2023.</p>" \
        f"<p>{filler_en}</p>" \
        "<p>Operating revenue reached 1.86 亿元 in 2024.</p></div>"
    expected = (
        Expected("E-GHG-02", 6543.0, 1), Expected("E-GHG-03", 18765.0, 1),
        Expected("S-EMP-01", 2310.0, 1), Expected("S-EMP-02-FPCT", 28.4, 1),
        Expected("E-WAT-01", 123456.0, 1), Expected("G-GEN-01", 18600.0, 1),
    )
    return CorpusReport("prose_columns", _pdf(body), YEAR, expected, 1)


def split_table() -> CorpusReport:
    """A table that runs over two pages; its year header is printed only on the first page."""
    filler = [(f"社区公益活动投入（项目{n}）", "万元", f"{n}.5", f"{n}.0") for n in range(1, 41)]
    body = "<h1>环境绩效数据表</h1><table>" + _rows([
        ("指标", "单位", "2024", "2023"),
        ("范围一排放量", "吨二氧化碳当量", "7,021", "6,980"),
        *filler,
        ("范围二排放量", "吨二氧化碳当量", "12,004", "11,870"),
        ("综合能耗", "吨标准煤", "5,432", "5,210"),
        ("废弃物产生总量", "万吨", "0.35", "0.33"),
    ]) + "</table>"
    expected = (
        Expected("E-GHG-02", 7021.0, 1), Expected("E-GHG-03", 12004.0, 2),
        Expected("E-ENG-01", 5432.0, 2), Expected("E-WST-04", 3500.0, 2),
    )
    return CorpusReport("split_table", _pdf(body), YEAR, expected, 2)


def inconsistent() -> CorpusReport:
    """A summary page and a data table that disagree on Scope 1; a total that is not the sum;
    a GRI content index (page 3) naming the table's page."""
    body = "<h1>2024年度ESG报告</h1><h2>年度亮点</h2>" \
        "<p>2024年，公司范围一排放量为9,100吨二氧化碳当量。</p>" \
        "<div style='page-break-before: always'></div><h2>环境数据</h2><table>" + _rows([
            ("指标", "单位", "2024年", "2023年"),
            ("范围一温室气体排放量", "吨二氧化碳当量", "9,150", "8,900"),
            ("范围二温室气体排放量", "吨二氧化碳当量", "20,000", "1,950"),
            ("温室气体排放总量", "吨二氧化碳当量", "31,150", "10,850"),
        ]) + "</table>" \
        "<div style='page-break-before: always'></div><h2>GRI内容索引</h2><table>" + _rows([
            ("GRI 标准", "披露项", "页码"),
            ("GRI 305-1", "直接（范围一）温室气体排放", "2"),
            ("GRI 305-2", "能源间接（范围二）温室气体排放", "2"),
            ("GRI 2-7", "员工", "1"),
        ]) + "</table>"
    expected = (
        Expected("E-GHG-02", 9100.0, 1), Expected("E-GHG-02", 9150.0, 2),
        Expected("E-GHG-03", 20000.0, 2), Expected("E-GHG-01", 31150.0, 2),
    )
    return CorpusReport("inconsistent", _pdf(body), YEAR, expected, 3)


def scanned() -> bytes:
    """A report whose only page is an image (as a scanner makes it)."""
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 200), "white").save(buffer, "PNG")
    image = base64.b64encode(buffer.getvalue()).decode()
    return _pdf(f"<img src='data:image/png;base64,{image}' style='width: 15cm'>")


@lru_cache(maxsize=1)
def corpus() -> tuple[CorpusReport, ...]:
    """Every generated report with its printed figures (made once per process)."""
    return (zh_table(), en_table(), prose_columns(), split_table(), inconsistent())
