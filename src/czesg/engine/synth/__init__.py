"""Synthetic Changzhou enterprises and their disclosure values, at any size.

The demo needs a few hundred enterprises, the benchmarks a hundred thousand; both come from here,
deterministically for a seed. Every name says that it is synthetic, every USCC comes from
:func:`czesg.engine.kernel.identifiers.synthetic_uscc` (which cannot collide with a real code), and every
text answer is marked 合成数据.

The values are internally consistent, because the derived ones are computed, never drawn:

* an economic core per enterprise (operating revenue by size class, employees, energy carriers,
  water and waste from intensities per 10,000 CNY with lognormal noise; later years follow with
  revenue growth of -10 % to +20 % and mild efficiency gains);
* Scope 1, Scope 2 (location- and market-based) and energy in tce come from the carbon engine
  (:func:`czesg.engine.carbon.calculate`), which computes every carrier of every enterprise-year
  in one vectorised call with the factor set the parameters name: fuels with their GB/T 32151
  parameters, purchased electricity with the Jiangsu average grid factor of the year (the latest
  earlier year when the year has none, recorded in :attr:`SyntheticValues.factors`), green
  electricity at zero in market-based Scope 2, energy in tce with electricity at the calorific
  equivalent (当量值); total GHG = Scope 1 + Scope 2 location-based;
* every intensity of the catalogue = numerator / denominator in the indicator's unit, every part
  <= its total, every percentage with counterpart values = their ratio x 100;
* the rest of the catalogue from generic rules by unit and data type, with realistic completeness
  and a few not-applicable answers with an explanation.

The made-up distribution parameters live in ``czesg/data/synthetic/parameters.toml``
(:func:`load_parameters` validates it); the real-world factors are read from the carbon engine's
factor set, never copied. Work is vectorised
per indicator over all enterprises with NumPy, so 100,000 enterprises x 2 years (millions of
values) take seconds.

Modules: :mod:`.parameters`, :mod:`.draws` (seeded streams), :mod:`.enterprises`,
:mod:`.values` (the columnar result), :mod:`.disclosures` (the economic core and assembly),
:mod:`.emissions` (carriers through the carbon engine) and :mod:`.generic` (generic rules).
"""

from __future__ import annotations

from czesg.engine.synth.disclosures import (
    generate_disclosures,
)
from czesg.engine.synth.emissions import (
    CARBON_TOTALS,
    carbon_totals,
)
from czesg.engine.synth.enterprises import (
    SyntheticEnterprise,
    generate_enterprises,
)
from czesg.engine.synth.parameters import (
    EXCHANGES,
    GENERIC_MODELS,
    PARAMETERS_NAME,
    PARAMETERS_PATH,
    ROLE_OF_KIND,
    SIZE_CLASSES,
    SYNTHETIC_MARK,
    SYNTHETIC_TABLES,
    TIERS,
    Carrier,
    FactorUse,
    SynthParameters,
    load_parameters,
    parse_parameters,
)
from czesg.engine.synth.values import (
    SyntheticValues,
)

__all__ = [
    "CARBON_TOTALS",
    "Carrier",
    "EXCHANGES",
    "FactorUse",
    "GENERIC_MODELS",
    "PARAMETERS_NAME",
    "PARAMETERS_PATH",
    "ROLE_OF_KIND",
    "SIZE_CLASSES",
    "SYNTHETIC_MARK",
    "SYNTHETIC_TABLES",
    "SynthParameters",
    "SyntheticEnterprise",
    "SyntheticValues",
    "TIERS",
    "carbon_totals",
    "generate_disclosures",
    "generate_enterprises",
    "load_parameters",
    "parse_parameters",
]
