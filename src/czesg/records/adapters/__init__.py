"""One module per kind of source file: each turns the file into the standard long frame of
:mod:`czesg.engine.records.checking` and declares the source kind, the columns it reads (with
their Chinese and English spellings) and the indicator each figure is. ``ADAPTERS`` lists them by
name; ``docs/records/`` documents each format with a sample file."""

from __future__ import annotations

from czesg.records.adapters.base import Adapter
from czesg.records.adapters.env_credit import ENV_CREDIT
from czesg.records.adapters.government import GovernmentAdapter
from czesg.records.adapters.installation_emissions import INSTALLATION_EMISSIONS
from czesg.records.adapters.penalty_decisions import PENALTY_DECISIONS
from czesg.records.adapters.tax_credit import TAX_CREDIT_A
from czesg.records.adapters.utility_monthly import ELECTRICITY, GAS, HEAT, WATER

ADAPTERS: dict[str, Adapter | GovernmentAdapter] = {
    adapter.name: adapter
    for adapter in (INSTALLATION_EMISSIONS, ELECTRICITY, GAS, WATER, HEAT, ENV_CREDIT,
                    PENALTY_DECISIONS, TAX_CREDIT_A)
}


def adapters_for(source_kind: str, code: str = "") -> list[Adapter | GovernmentAdapter]:
    """The adapters that read files of that kind of source (of the source ``code``, when it
    lists its adapters in ``data/records/sources.toml``), by name."""
    from czesg.engine.records.sources import load_sources

    spec = load_sources().get(code)
    listed = spec.adapters if spec is not None else ()
    return sorted((a for a in ADAPTERS.values() if a.source_kind == source_kind
                   and (not listed or a.name in listed)), key=lambda a: a.name)


def adapter_named(name: str) -> Adapter | GovernmentAdapter:
    """The adapter of that name; refused with the list of names otherwise."""
    from czesg.engine.kernel.errors import NotFound, gettext_noop

    try:
        return ADAPTERS[name]
    except KeyError:
        raise NotFound(gettext_noop("No record adapter is called “%(name)s”; known: %(names)s."),
                       name=name, names=", ".join(sorted(ADAPTERS))) from None
