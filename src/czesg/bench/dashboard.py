"""`czesg bench dashboard`: the server time of the city dashboard over a city of enterprises.

The group loads 100,000 × scale synthetic enterprises with two reporting years (2024 published,
2025 partly published, as the synthetic loader does), rates both years when the ratings app is
installed (so that the grade breakdowns and the A-or-above count read real rating rows), and
then requests the city dashboard in-process with Django's test client as a government user.
Loading and rating are not part of the figure; ``dashboard_server_ms`` is the median of the warm
requests (the first requests, which load the catalogue, the city profile and the templates and
compute the figures, are discarded). The pages keep their figures per data version (see
:mod:`czesg.dashboards.queries`), so warm requests are cache hits; ``dashboard_uncached_ms`` is
the median of requests made after emptying every cache (the first request after a rating run
or a restart), and ``dashboard_after_publication_ms`` the median of requests made right after a
disclosure is published through the action (the figures are computed again from the fact
table; the ratings, which a publication does not change, stay cached under their runs' keys).
"""

from __future__ import annotations

import statistics
import time

WARM_UP = 2
REQUESTS = 7
UNCACHED = 3
PUBLICATIONS = 5


def _median_ms(client, url: str, requests: int = REQUESTS) -> tuple[float, float]:
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return statistics.median(timings), max(timings)


def _rate(years: list[int], actor) -> int:
    """Rate the years through the ratings app's own actions (0 when it is not installed)."""
    from django.apps import apps

    if not apps.is_installed("czesg.ratings"):
        return 0
    from czesg.ratings import actions as ratings

    rated = 0
    for year in years:
        run = ratings.start_rating(year, actor=actor, enqueue=False)
        rated += int(ratings.run_rating(run.pk).get("rated", 0))
    return rated


def _after_publications(client, url: str, year: int) -> float | None:
    """Median time of the city dashboard right after a disclosure is published (through the
    action, as an enterprise would): the figures are computed again, the ratings are not."""
    from czesg.accounts.actors import system_actor
    from czesg.disclosures.actions import publish_disclosure
    from czesg.disclosures.models import Disclosure, State

    timings = []
    for disclosure in Disclosure.objects.filter(state=State.SUBMITTED, year=year)[:PUBLICATIONS]:
        publish_disclosure(disclosure, actor=system_actor())
        timings.append(_median_ms(client, url, 1)[0])
    return round(statistics.median(timings), 1) if timings else None


def bench_dashboard(scale: float) -> dict:
    """Median server time of the city dashboard over 100,000 × scale synthetic enterprises."""
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from czesg.accounts.actors import system_actor
    from czesg.accounts.models import Role, User
    from czesg.demo import load_synthetic

    n = max(100, int(100_000 * scale))
    years = [2024, 2025]
    started = time.perf_counter()
    load_synthetic(enterprises=n, years=years, seed=5)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    try:
        rated = _rate(years, system_actor())
    except Exception as exc:  # the ratings app is young; the dashboard tolerates no ratings
        rated = 0
        rating_error = f"{type(exc).__name__}: {exc}"[:200]
    else:
        rating_error = ""
    rate_s = time.perf_counter() - started
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does shortly after a bulk load
            cursor.execute("VACUUM ANALYZE")
    user, _ = User.objects.get_or_create(
        username="czesg-bench-government", defaults={"role": Role.GOVERNMENT})
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    city, zones = reverse("dashboards:city"), reverse("parks:zones")
    for _ in range(WARM_UP):
        client.get(city)
    city_ms, city_max_ms = _median_ms(client, city)
    uncached = []
    for _ in range(UNCACHED):
        cache.clear()
        uncached.append(_median_ms(client, city, 1)[0])
    after_publication = _after_publications(client, city, years[-1])
    client.get(zones)
    zones_ms, _ = _median_ms(client, zones, 5)
    cache.clear()
    zones_uncached_ms = _median_ms(client, zones, 1)[0]
    figures = {
        "dashboard_server_ms": round(city_ms, 1),
        "dashboard_server_max_ms": round(city_max_ms, 1),
        "dashboard_uncached_ms": round(statistics.median(uncached), 1),
        "dashboard_after_publication_ms": after_publication,
        "dashboard_zones_server_ms": round(zones_ms, 1),
        "dashboard_zones_uncached_ms": round(zones_uncached_ms, 1),
        "dashboard_enterprises": n,
        "dashboard_rated": rated,
        "dashboard_load_data_s": round(load_s, 1),
        "dashboard_rate_s": round(rate_s, 1),
    }
    if rating_error:
        figures["dashboard_rating_error"] = rating_error
    return figures
