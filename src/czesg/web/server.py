"""The production server's gunicorn hooks (``czesg serve`` loads this module as its config with
``-c python:czesg.web.server``). The master process reads it too, so it imports only the
standard library at the top: Django is imported inside the hooks, which run in the workers.

:func:`post_worker_init` settles each worker once its application is loaded: the URL
configuration (and with it every view and API module) is imported, the garbage left by the
imports is collected, and the objects that remain are frozen (:func:`gc.freeze`) so that the
collector never scans them again. Without it, each full collection walked the whole loaded
application (about 180,000 objects: Django, NumPy, Polars, the catalogue, the API schemas),
and a request that happened to trigger one took 120-190 ms of CPU more than the others: the
recurring stall in the datapoints page's p99 (``czesg bench --only load``). Only the objects
that requests create are collected from then on, which they are as before.
"""

from __future__ import annotations

import gc

# Threads per server worker. gthread workers queue the requests of their connections first in,
# first out: with 4 threads, a worker holding most of the connections (wrk's, or a proxy's kept
# ones, land unevenly) made a 7 ms home page wait behind a queue of 25-35 ms search and compare
# pages, 260-530 ms at p99 under sixteen anonymous clients (`czesg bench --only load`, 100,000
# enterprises). With 16, every request runs at once and the interpreter's lock shares the CPU
# among them in 5 ms slices, so a cheap page stays cheap: 57-87 ms p99 in three runs. A thread
# holds one database connection (2 workers x 16 = 32, under PostgreSQL's default 100).
THREADS = 16


def settle() -> int:
    """Import the whole application, collect and freeze what it left; the frozen count."""
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports czesg.urls, every view and the API
    resolver.reverse_dict  # noqa: B018 - the reverse lookup tables every page uses
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def post_worker_init(worker) -> None:  # gunicorn's hook: the worker has loaded the app
    frozen = settle()
    worker.log.info("czesg: %d objects of the loaded application frozen out of the collector",
                    frozen)
