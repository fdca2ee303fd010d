"""A content index by any framework the catalogue maps (GRI, IFRS S2, the SSE/SZSE guideline's
articles, HKEX KPIs) names the pages of the indicators; its page is never read for figures."""

from czesg.bench.extraction_corpus import _pdf, _rows
from czesg.engine.extraction import extract
from czesg.engine.extraction.contents import fold_reference, references

BREAK = "<div style='page-break-before: always'></div>"


def test_references_fold_to_one_spelling():
    assert [fold_reference(t) for t in (
        "第二十四条", "Article 24", "第五十五条", "第一百零二条", "KPI A1.2", "HKEX A2.1",
        "A1.2 (密度)", "IFRS S2 para 29(a)", "para 29(a) Scope 1", "29(a)", "GRI 305-1",
        "305-1")] == [
        "article24", "article24", "article55", "article102", "a1.2", "a2.1", "a1.2", "29(a)",
        "29(a)", "29(a)", "305-1", "305-1"]


def test_the_catalogue_framework_columns_name_the_indicators():
    named = references()
    assert named["article35"] == ("E-ENG-01",)
    assert named["a2.2"] == ("E-WAT-01",)
    assert named["b1.1"] == ("S-EMP-01",)
    assert set(named["article24"]) == {"E-GHG-01", "E-GHG-02", "E-GHG-03", "E-GHG-03-MKT",
                                       "E-GHG-04"}
    assert set(named["29(a)"]) == set(named["article24"])


def test_an_index_by_article_and_hkex_kpi_jumps_to_the_pages():
    pdf = _pdf(
        "<h2>年度亮点</h2><p>2024年，公司综合能源消费量为5,000吨标准煤。</p>" + BREAK
        + "<h2>环境与员工数据</h2><table>" + _rows([
            ("指标", "单位", "2024年"),
            ("综合能源消费量", "吨标准煤", "5,100"),
            ("总耗水量", "万立方米", "12"),
            ("员工总数", "人", "800"),
        ]) + "</table>" + BREAK + "<h2>内容索引</h2><table>" + _rows([
            ("要求", "议题", "页码"),
            ("第三十五条", "能源利用", "2"),
            ("KPI A2.2", "总耗水量 1,000", "2"),
            ("B1.1", "员工总数 999", "2"),
            ("IFRS S2 29(a)", "温室气体排放", "3"),
        ]) + "</table>")
    extraction = extract(pdf, 2024)
    found = sorted((c.indicator, c.value, c.page, c.indexed,
                    "index_elsewhere" in [f.rule for f in c.findings])
                   for c in extraction.candidates)
    # The index's own lines ("总耗水量 1,000", "员工总数 999") are not figures; the summary's
    # energy figure stands on page 1, which the article-35 line does not name.
    assert found == [
        ("E-ENG-01", 5000.0, 1, (2,), True),
        ("E-ENG-01", 5100.0, 2, (2,), False),
        ("E-WAT-01", 120000.0, 2, (2,), False),
        ("S-EMP-01", 800.0, 2, (2,), False),
    ]
