"""The PACT v3 data model of a product footprint, built from plain data (no Django).

Identifiers (URNs, the scheme this platform states for its partners):

* company: ``urn:czesg:uscc:<unified social credit code>`` (the 18-character USCC);
* product: ``urn:czesg:product:<product uuid>``;
* classification: ``urn:cpc:<code>`` for a UN CPC code, ``urn:czesg:hs:<code>`` for an HS code.

Implements the data model of the PACT Technical Specifications v3 (WBCSD); see
``docs/supplychain.md`` for the attribution notice the specification's licence asks for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

SPEC_VERSION = "3.0.3"
USCC_URN_PREFIX = "urn:czesg:uscc:"
PRODUCT_URN_PREFIX = "urn:czesg:product:"
CROSS_SECTORAL_STANDARDS: tuple[str, ...] = ("ISO14067",)
IPCC_CHARACTERIZATION_FACTORS: tuple[str, ...] = ("AR6",)
URN_RE = re.compile(r"^[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$")


def company_urn(uscc: str) -> str:
    """The company id URN of an enterprise's credit code."""
    return USCC_URN_PREFIX + uscc.strip().upper()


def product_urn(product_uuid: str) -> str:
    """The product id URN of a product's UUID."""
    return PRODUCT_URN_PREFIX + str(product_uuid)


def classification_urns(cpc_code: str, hs_code: str) -> list[str]:
    """The product classification URNs of a CPC and/or an HS code (empty codes left out)."""
    found = []
    if cpc_code.strip():
        found.append("urn:cpc:" + cpc_code.strip())
    if hs_code.strip():
        found.append("urn:czesg:hs:" + hs_code.strip())
    return found


def decimal_text(value: float, places: int = 6) -> str:
    """A PACT decimal string (no exponent, at most ``places`` decimals, never ``-0``)."""
    text = format(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def timestamp(moment: datetime) -> str:
    """An RFC 3339 UTC timestamp with a ``Z`` (seconds precision)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def product_footprint(record: Mapping[str, Any]) -> dict[str, Any]:
    """A PACT v3 ProductFootprint from a stored footprint's plain fields (see the keys read).

    ``record`` holds id, created, updated (or None), status, validity_start/validity_end (or
    None), company_name, uscc, product_uuid, product_name, product_description, cpc_code,
    hs_code, comment, year_start/year_end (datetimes of the reference period), geography
    (ISO 3166-2 subdivision such as ``CN-JS``), summary (the engine's summary) and
    preceding_ids.
    """
    summary = record["summary"]
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": summary["declared_unit"],
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": decimal_text(record.get("mass_kg") or 0.0),
        "referencePeriodStart": timestamp(record["period_start"]),
        "referencePeriodEnd": timestamp(record["period_end"]),
        "geographyCountrySubdivision": record["geography"],
        "boundaryProcessesDescription": record.get("boundary") or "",
        "pcfExcludingBiogenicUptake": decimal_text(summary["pcf_excluding_biogenic"]),
        "pcfIncludingBiogenicUptake": decimal_text(summary["pcf_including_biogenic"]),
        "fossilCarbonContent": "0",
        "biogenicCarbonContent": "0",
        "recycledCarbonContent": "0",
        "fossilGhgEmissions": decimal_text(summary["fossil"]),
        "landUseChangeGhgEmissions": "0",
        "landCarbonLeakage": "0",
        "landManagementFossilGhgEmissions": "0",
        "landManagementBiogenicCO2Emissions": "0",
        "landManagementBiogenicCO2Removals": "0",
        "biogenicCO2Uptake": decimal_text(
            summary["pcf_including_biogenic"] - summary["pcf_excluding_biogenic"]),
        "biogenicNonCO2Emissions": decimal_text(summary["biogenic"]),
        "landAreaOccupation": "0",
        "aircraftGhgEmissions": "0",
        "packagingEmissionsIncluded": False,
        "ipccCharacterizationFactors": list(IPCC_CHARACTERIZATION_FACTORS),
        "crossSectoralStandards": list(CROSS_SECTORAL_STANDARDS),
        "productOrSectorSpecificRules": [
            {"operator": "Other", "ruleNames": ["GB/T 24067-2024"]},
        ],
        "otherOperatorName": "SAMR/SAC (China)",
        "exemptedEmissionsPercent": decimal_text(summary["exempted_percent"]),
        "allocationRulesDescription": record.get("allocation") or "",
        "primaryDataShare": decimal_text(summary["primary_data_share"], 2),
    }
    if record.get("verification"):
        pcf["verification"] = dict(record["verification"])
    footprint: dict[str, Any] = {
        "id": str(record["id"]),
        "specVersion": SPEC_VERSION,
        "created": timestamp(record["created"]),
        "status": record["status"],
        "companyName": record["company_name"],
        "companyIds": [company_urn(record["uscc"])],
        "productDescription": record.get("product_description") or "",
        "productIds": [product_urn(record["product_uuid"])],
        "productNameCompany": record["product_name"],
        "comment": record.get("comment") or "",
        "pcf": pcf,
    }
    classifications = classification_urns(record.get("cpc_code", ""), record.get("hs_code", ""))
    if classifications:
        footprint["productClassifications"] = classifications
    if record.get("preceding_ids"):
        footprint["precedingPfIds"] = [str(i) for i in record["preceding_ids"]]
    if record.get("validity_start") and record.get("validity_end"):
        footprint["validityPeriodStart"] = timestamp(record["validity_start"])
        footprint["validityPeriodEnd"] = timestamp(record["validity_end"])
    return footprint
