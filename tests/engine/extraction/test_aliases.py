"""The alias dictionary: which indicator a label or a sentence names."""

from czesg.engine.catalogue import load_catalogue
from czesg.engine.extraction.aliases import find_indicator, find_indicators, load_aliases


def codes(text: str) -> list[str]:
    return [m.code for m in find_indicators(text)]


def test_every_alias_names_a_catalogue_indicator_with_its_source():
    catalogue = load_catalogue()
    entries = load_aliases()
    assert {e.code for e in entries} == {
        "E-GHG-01", "E-GHG-02", "E-GHG-03", "E-GHG-03-MKT", "E-GHG-04", "E-ENG-01", "E-WAT-01",
        "E-WST-04", "S-EMP-01", "S-EMP-02-FPCT", "G-GEN-01"}
    for entry in entries:
        assert entry.code in catalogue
        assert entry.provenance.source and entry.provenance.confidence


def test_the_longest_phrase_wins_market_based_scope_2():
    assert codes("范围二温室气体排放量（基于市场）") == ["E-GHG-03-MKT"]
    assert codes("范围二温室气体排放量（基于位置）") == ["E-GHG-03"]
    assert codes("Scope 2 emissions (market-based)") == ["E-GHG-03-MKT"]


def test_intensities_targets_and_shares_are_excluded():
    assert codes("范围一排放强度") == []
    assert codes("温室气体排放强度（吨二氧化碳当量/万元）") == []
    assert codes("Scope 1 emissions reduction target") == []
    assert codes("女性员工占比") == ["S-EMP-02-FPCT"]
    assert codes("管理层女性员工占比") == []


def test_a_sentence_names_several_indicators_each_in_its_clause():
    assert codes("本公司2024年员工总数为1,234人，女性员工占比为38.5%。") == [
        "S-EMP-01", "S-EMP-02-FPCT"]


def test_a_line_break_ends_a_clause_unless_the_name_runs_over_it():
    text = "员工总数女性员工占比"  # two cells of a label column, one below the other
    assert [m.code for m in find_indicators(text, (4,))] == ["S-EMP-01", "S-EMP-02-FPCT"]
    assert find_indicators(text) == [find_indicators(text)[0]]  # without the break: one clause


def test_english_phrases_are_whole_words():
    assert find_indicator("Scope 12 emissions") is None
    assert find_indicator("Operating revenue").code == "G-GEN-01"


def test_content_index_lines_name_pages_and_are_not_figures():
    from czesg.engine.extraction.contents import content_index, index_code
    from czesg.engine.extraction.layout import Line, Page, Segment

    def line(*texts):
        return Line(tuple(Segment(t, 10 + 100 * i, 0, 90 + 100 * i, 10)
                          for i, t in enumerate(texts)))

    pages = [Page(1, 595, 842, (line("GRI 305-1", "直接温室气体排放", "2"),
                                line("305-2", "范围二排放", "第3页"),
                                line("GRI 2-7", "员工", "99")), 0)] * 3
    assert index_code(pages[0].lines[0]) == "305-1"
    # The catalogue maps 305-1/305-2/305-3 to the total too, and 305-2 to both Scope 2 bases.
    assert content_index(pages) == {"E-GHG-01": (2, 3), "E-GHG-02": (2,), "E-GHG-03": (3,),
                                    "E-GHG-03-MKT": (3,)}  # 2-7: p. 99 > 3 pages


def test_a_new_table_without_year_columns_forgets_the_last_tables_columns():
    from czesg.engine.extraction.layout import Line, Page, Segment
    from czesg.engine.extraction.reading import read_figures

    def line(*cells):
        return Line(tuple(Segment(t, x, 0, x + 60, 10) for x, t in cells))

    page = Page(1, 595, 842, (
        line((10, "指标"), (100, "单位"), (200, "2024年"), (300, "2023年")),
        line((10, "范围一排放量"), (100, "吨二氧化碳当量"), (200, "1,000"), (300, "900")),
        line((10, "指标"), (100, "单位"), (400, "数值")),
        line((10, "员工总数"), (100, "人"), (400, "250")),
    ), 0)
    found = [(r.indicator, r.year, r.year_basis, r.value) for r in read_figures([page], 2024)]
    assert [(c, y, b, int(v)) for c, y, b, v in found] == [
        ("E-GHG-02", 2024, "column", 1000), ("E-GHG-02", 2023, "column", 900),
        ("S-EMP-01", 2024, "assumed", 250)]
