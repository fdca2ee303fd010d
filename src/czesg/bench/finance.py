"""Green finance benchmark: PCAF financed emissions with data quality over a synthetic book, the
portfolio temperature of the same book, and one enterprise's eligibility against every product."""

from __future__ import annotations

import time

import numpy as np
import polars as pl

from czesg.engine.finance.labels import label_year
from czesg.engine.finance.pcaf import financed_emissions, load_pcaf_method, portfolio
from czesg.engine.finance.temperature import load_temperature_method, portfolio_temperature


def synthetic_book(n_exposures: int, n_borrowers: int, seed: int = 5
                   ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A loan book and its borrowers: a mix of assured, reported, recorded and missing emissions."""
    rng = np.random.default_rng(seed)
    sectors = np.array(["C3841", "C3825", "C2614", "C3311", "D4411", "F4810", "G5120"])
    basis = np.array(["assured", "reported", "record", None, None], dtype=object)
    drawn = basis[rng.integers(0, len(basis), n_borrowers)]
    has = np.array([b is not None for b in drawn])
    borrowers = pl.DataFrame({
        "borrower": np.arange(n_borrowers, dtype=np.int64),
        "sector": sectors[rng.integers(0, len(sectors), n_borrowers)],
        "emissions": np.where(has, rng.random(n_borrowers) * 5000, np.nan),
        "scope3": np.where(rng.random(n_borrowers) < 0.2, rng.random(n_borrowers) * 900, np.nan),
        "basis": pl.Series(list(drawn), dtype=pl.Utf8),
        "revenue": np.where(rng.random(n_borrowers) < 0.8, rng.random(n_borrowers) * 1e9, np.nan),
        "assets": np.where(rng.random(n_borrowers) < 0.7, rng.random(n_borrowers) * 2e9, np.nan),
    }).with_columns(pl.col(["emissions", "scope3", "revenue", "assets"]).fill_nan(None))
    exposures = pl.DataFrame({
        "exposure": [f"E{i}" for i in range(n_exposures)],
        "borrower": rng.integers(0, n_borrowers, n_exposures),
        "outstanding": rng.random(n_exposures) * 5e7,
        "listed": rng.random(n_exposures) < 0.1,
        "evic": rng.random(n_exposures) * 5e9,
        "equity_debt": np.where(rng.random(n_exposures) < 0.3, rng.random(n_exposures) * 1e9,
                                np.nan),
    }).with_columns(pl.col("equity_debt").fill_nan(None))
    return exposures, borrowers


def benchmark(n_exposures: int = 100_000, n_borrowers: int = 30_000) -> dict:
    """Seconds for financed emissions, data quality and portfolio totals of a book (best of 3),
    and for the carbon-efficiency labels of the borrowers as enterprises."""
    exposures, borrowers = synthetic_book(n_exposures, n_borrowers)
    method = load_pcaf_method()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        result = financed_emissions(exposures, borrowers, method)
        book = portfolio(result)
        best = min(best, time.perf_counter() - started)
    years = pl.concat([borrowers.select(
        pl.col("borrower").alias("enterprise"), pl.lit(year).alias("year"),
        pl.col("sector").alias("industry"), (pl.col("borrower") % 7).cast(pl.Utf8)
        .alias("district"), (pl.col("emissions") * (1 + 0.01 * (2025 - year))).alias("emissions"),
        pl.col("revenue")) for year in (2024, 2025)])
    started = time.perf_counter()
    labels = label_year(years, 2025)
    label_s = time.perf_counter() - started
    temperature_s, companies = temperature(exposures, borrowers)
    return {"pcaf_100k_exposures_s": round(best, 4), "pcaf_exposures": result.height,
            "pcaf_covered": book.covered, "carbon_labels_s": round(label_s, 4),
            "carbon_labels": labels.height, "temperature_100k_s": round(temperature_s, 4),
            "temperature_companies": companies}


def synthetic_targets(borrowers: pl.DataFrame, seed: int = 9) -> pl.DataFrame:
    """Targets for about half the borrowers: absolute or intensity, S1S2 or S3, each time frame."""
    rng = np.random.default_rng(seed)
    n = borrowers.height
    has = rng.random(n) < 0.5
    ids = borrowers["borrower"].cast(pl.Utf8).to_numpy()[has]
    k = len(ids)
    end = rng.integers(2026, 2055, k)
    frames = np.where(end - 2025 <= 4, "short", np.where(end - 2025 <= 15, "mid", "long"))
    kinds = np.array(["absolute", "intensity"])[rng.integers(0, 2, k)]
    return pl.DataFrame({
        "company": ids, "scope": np.array(["S1S2", "S3"])[rng.integers(0, 2, k)],
        "time_frame": frames, "target_type": kinds,
        "metric": pl.Series([("Revenue" if k == "intensity" else None) for k in kinds],
                            dtype=pl.Utf8),
        "sector": borrowers["sector"].to_numpy()[has], "reduction": rng.random(k) * 0.8,
        "base_year": rng.integers(2015, 2025, k), "end_year": end,
        "validated": rng.random(k) < 0.3})


def temperature(exposures: pl.DataFrame, borrowers: pl.DataFrame) -> tuple[float, int]:
    """Seconds (best of 3) for every borrower's temperature scores from its targets and the
    book's portfolio temperature by every aggregation option, and the companies scored."""
    method = load_temperature_method()
    targets = synthetic_targets(borrowers)
    companies = borrowers.select(pl.col("borrower").cast(pl.Utf8).alias("company"),
                                 pl.col("emissions").alias("ghg_s1s2"),
                                 pl.col("scope3").alias("ghg_s3"))
    values = borrowers.select(pl.col("borrower").cast(pl.Utf8).alias("company"),
                              "revenue", pl.col("assets").alias("total_assets"),
                              (pl.col("assets") * 0.6).alias("market_cap"),
                              (pl.col("assets") * 0.8).alias("enterprise_value"),
                              (pl.col("assets") * 0.1).alias("cash"))
    holdings = exposures.select(pl.col("borrower").cast(pl.Utf8).alias("company"),
                                pl.col("outstanding").alias("investment")).join(
        companies, on="company", how="left").join(values, on="company", how="left")
    best = float("inf")
    scores = pl.DataFrame()
    for _ in range(3):
        started = time.perf_counter()
        scores, _results = portfolio_temperature(targets, companies, holdings, method)
        best = min(best, time.perf_counter() - started)
    return best, scores["company"].n_unique()


def eligibility(n_products: int = 114, repeats: int = 20) -> dict:
    """Milliseconds (median of ``repeats``) for one enterprise's verdict on every product on offer
    (its figures read from the database and every product's rules evaluated), with
    ``n_products`` products published by two banks (Huzhou's 绿贷通 lists 114)."""
    import statistics

    from czesg.accounts.actors import system_actor
    from czesg.accounts.models import Role, User
    from czesg.engine import synth
    from czesg.enterprises.actions import EnterpriseFacts, bulk_register
    from czesg.enterprises.models import Enterprise
    from czesg.finance import actions
    from czesg.finance.queries import verdicts

    e = synth.generate_enterprises(1, seed=13)[0]
    bulk_register([EnterpriseFacts(
        uscc=e.uscc, name=e.name, name_en=e.name_en, industry_code=e.industry_code,
        division_code=e.division_code, park_key=e.park_key, size_class=e.size_class,
        listed=False, state_owned=e.state_owned, is_synthetic=True)],
        actor=system_actor(), source="czesg bench")
    banks = [User.objects.create_user(username=f"bench_bank_{i}", password=None, role=Role.BANK,
                                      organisation=f"Bench bank {i}") for i in range(2)]
    rules = [{"figure": "green_score", "min": 40}, {"figure": "industry", "any_of": ["C", "D"]},
             {"figure": "rating_grade", "min": "BBB"}, {"figure": "size_class",
                                                        "any_of": ["small", "medium"]}]
    for i in range(n_products):
        actions.publish_product(name=f"产品{i}", kind="changlv", min_amount="50",
                                max_amount="1000", min_term_months="6", max_term_months="36",
                                rules=rules[: 1 + i % len(rules)],
                                discounts=[{"min_score": 80, "bps": 30}], actor=banks[i % 2])
    enterprise = Enterprise.objects.get(uscc=e.uscc)
    verdicts(enterprise)  # warm the caches a request would have warm
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        found = verdicts(enterprise)
        times.append((time.perf_counter() - started) * 1000)
    return {"eligibility_one_enterprise_ms": round(statistics.median(times), 2),
            "eligibility_products": len(found)}
