"""Issue 19: a year rated on Spark (local mode) stores exactly what the in-process run stores.

About 2,000 synthetic enterprises publish their disclosures through the bulk loader; the year is
rated once in process and once with ``czesg batch rate --engine spark`` (a real local Spark job
over partitioned Parquet); every stored rating and green score, and the audit entries, are
compared.
"""

from __future__ import annotations

import json

import pytest

from czesg.accounts.actors import system_actor
from czesg.audit.models import AuditEvent
from czesg.audit.recording import verify
from czesg.demo import load_synthetic
from czesg.ratings import actions
from czesg.ratings.cli import register
from czesg.ratings.models import GreenScore, Rating, RatingRun, RunStatus

pytestmark = pytest.mark.django_db
YEAR = 2024
COMPARED_RATING = [f.attname for f in Rating._meta.concrete_fields
                   if f.attname not in ("id", "run_id", "created_at")]
COMPARED_GREEN = [f.attname for f in GreenScore._meta.concrete_fields
                  if f.attname not in ("id", "run_id", "created_at")]


def _stored(model, run, columns):
    return list(model.objects.filter(run=run).order_by("enterprise_id").values_list(*columns))


@pytest.mark.only_on("postgresql")  # one JVM start per suite run, on the city's database
@pytest.mark.xdist_group("spark")  # one worker, one JVM for both Spark tests
def test_spark_batch_rating_equals_the_in_process_run(settings, tmp_path, capsys):
    settings.CZESG_SPARK_MASTER = "local[2]"
    settings.CZESG_BATCH_DIR = tmp_path
    load_synthetic(enterprises=2000, years=[YEAR], seed=19)
    actor = system_actor()
    first = actions.start_rating(YEAR, actor=actor, enqueue=False)
    actions.run_rating(first.pk)

    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["batch", "rate", "--year", str(YEAR), "--engine", "spark",
                              "--partitions", "5", "--quiet", "--format", "json"])
    assert args.func(args) == 0
    printed = json.loads(capsys.readouterr().out)
    second = RatingRun.objects.get(pk=printed["run"])
    first.refresh_from_db()

    assert second.pk != first.pk and second.status == RunStatus.DONE
    assert second.rated == first.rated == Rating.objects.filter(run=first).count()
    assert first.rated >= 1000  # the synthetic population's published disclosures
    assert second.inputs_hash == first.inputs_hash
    assert second.grade_counts == first.grade_counts and second.label_counts == first.label_counts
    assert len(set(Rating.objects.filter(run=first).values_list("grade", flat=True))) > 2
    assert printed["timings"]["engine"] == "spark"
    assert printed["grade_distribution"] == first.grade_counts
    spark_rows = _stored(Rating, second, COMPARED_RATING)
    assert spark_rows == _stored(Rating, first, COMPARED_RATING)
    assert _stored(GreenScore, second, COMPARED_GREEN) == _stored(GreenScore, first,
                                                                  COMPARED_GREEN)
    # Both runs went through the same actions: a start and a result entry each.
    for run in (first, second):
        assert AuditEvent.objects.filter(action="rating.start", target_id=str(run.pk)).count() == 1
    done = AuditEvent.objects.get(action="rating.run", target_id=str(second.pk))
    assert done.payload["engine"] == "spark" and done.payload["rated"] == first.rated
    assert done.payload["inputs_hash"] == first.inputs_hash
    assert "engine" not in AuditEvent.objects.get(action="rating.run",
                                                  target_id=str(first.pk)).payload
    assert verify().ok
    # The exchange folder is cleaned up.
    assert not any(tmp_path.iterdir())


def test_an_unknown_engine_is_refused(gov):
    from czesg.engine.kernel.errors import CatalogueError

    run = actions.start_rating(YEAR, actor=gov, enqueue=False)
    with pytest.raises(CatalogueError) as refused:
        actions.run_rating(run.pk, engine_name="hadoop")
    assert refused.value.params["engine"] == "hadoop"


def test_the_spark_tasks_import_no_django():
    # Spark's Python workers import czesg.ratings.spark to run its tasks, without Django set up.
    import subprocess
    import sys

    code = ("import sys; sys.modules['django'] = None; import czesg.ratings.spark; "
            "import czesg.ratings.fields; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
