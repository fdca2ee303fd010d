"""The report as an inline-XBRL (iXBRL 1.1) XHTML document: readable as a page, each figure and
answer tagged as a fact of the czesg taxonomy, the entity named by its credit code.

Where an indicator has an EFRAG VSME concept, its fact is tagged with that concept as well: the
czesg fact is nested in a VSME fact of the same value that belongs to the target document
``vsme`` (Inline XBRL 1.1 section 4.1.2), whose only reference is the VSME entry point. The
default target refers to the czesg taxonomy alone and is validated as such."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from czesg.engine.xbrl.concepts import ENTITY_SCHEME, Taxonomy, XbrlUnit
from czesg.engine.xbrl.facts import IXT_NS, Fact, oim_language
from czesg.engine.xbrl.vsme import VSME_ENTRY_POINT, VSME_NAMESPACE, VSME_TARGET

IX_NS = "http://www.xbrl.org/2013/inlineXBRL"
XHTML_NS = "http://www.w3.org/1999/xhtml"
GENERATOR = "czesg"
"""The producer named in the document's generator meta element (read back on import)."""


@dataclass(frozen=True)
class Line:
    """One indicator of the document: its label, and its fact or the text printed instead."""

    label: str
    code: str
    fact: Fact | None = None
    text: str = ""
    unit_label: str = ""


@dataclass(frozen=True)
class Section:
    """A heading and its indicators."""

    title: str
    lines: list[Line] = field(default_factory=list)
    level: int = 2


@dataclass(frozen=True)
class Document:
    """What the document prints around its facts."""

    title: str
    entity: str  # the unified social credit code
    year: int
    lang: str
    profile: list[tuple[str, str]]
    sections: list[Section]
    notes: list[str]
    headings: dict[str, str]  # "profile", "notes", "indicator", "value"
    vsme: dict[str, str] = field(default_factory=dict)  # indicator code -> "vsme:Concept"


def _unit_xml(unit: XbrlUnit) -> str:
    def measures(items: tuple[str, ...]) -> str:
        return "".join(f"<xbrli:measure>{m}</xbrli:measure>" for m in items)

    if unit.denominator:
        body = (f"<xbrli:divide><xbrli:unitNumerator>{measures(unit.numerator)}"
                f"</xbrli:unitNumerator><xbrli:unitDenominator>{measures(unit.denominator)}"
                "</xbrli:unitDenominator></xbrli:divide>")
    else:
        body = measures(unit.numerator)
    return f'<xbrli:unit id="{unit.unit_id}">{body}</xbrli:unit>'


def _context_xml(context_id: str, entity: str, period: str) -> str:
    return (f'<xbrli:context id="{context_id}"><xbrli:entity>'
            f'<xbrli:identifier scheme="{ENTITY_SCHEME}">{escape(entity)}</xbrli:identifier>'
            f"</xbrli:entity><xbrli:period>{period}</xbrli:period></xbrli:context>")


def _fact_xml(fact: Fact, lang: str, name: str = "", target: str = "") -> str:
    name = name or f"czesg:{fact.concept.name}"
    ident = fact.fact_id if not target else f"{target}-{fact.concept.name}"
    common = f'id="{ident}" name="{name}" contextRef="{fact.context_id}"'
    if target:
        common += f' target="{target}"'
    if fact.unit is not None:
        sign = ' sign="-"' if fact.negative else ""
        return (f'<ix:nonFraction {common} unitRef="{fact.unit.unit_id}" decimals="INF" '
                f'scale="{fact.unit.scale}" format="ixt:num-dot-decimal"{sign}>'
                f"{escape(fact.shown)}</ix:nonFraction>")
    if fact.concept.item_type == "xbrli:booleanItemType":
        transform = "ixt:fixed-true" if fact.value == "true" else "ixt:fixed-false"
        return f'<ix:nonNumeric {common} format="{transform}">{escape(fact.shown)}</ix:nonNumeric>'
    return (f'<ix:nonNumeric {common} xml:lang="{oim_language(lang)}">{escape(fact.shown)}'
            "</ix:nonNumeric>")


def _tagged(fact: Fact, lang: str, vsme: str) -> str:
    """The czesg fact, nested in its VSME fact (same value, target ``vsme``) where it has one."""
    inner = _fact_xml(fact, lang)
    if not vsme:
        return inner
    outer = _fact_xml(fact, lang, vsme, VSME_TARGET)
    start = outer[:outer.index(">") + 1]
    end = outer[outer.rindex("</"):]
    return start + inner + end


def render(taxonomy: Taxonomy, document: Document, facts: list[Fact]) -> str:
    """The inline-XBRL XHTML document (UTF-8 text)."""
    lang = oim_language(document.lang)
    namespaces = taxonomy.namespaces()
    units = {f.unit.unit_id: f.unit for f in facts if f.unit is not None}
    year = document.year
    contexts = [
        _context_xml("D", document.entity, f"<xbrli:startDate>{year}-01-01</xbrli:startDate>"
                                          f"<xbrli:endDate>{year}-12-31</xbrli:endDate>"),
        _context_xml("I", document.entity, f"<xbrli:instant>{year}-12-31</xbrli:instant>"),
    ]
    vsme = {code: name for code, name in document.vsme.items()
            if any(f.concept.name == code for f in facts)}
    if vsme:
        namespaces = {**namespaces, "vsme": VSME_NAMESPACE}
    xmlns = " ".join(f"xmlns:{p}={quoteattr(u)}" for p, u in namespaces.items()
                     if p not in ("dtr",))
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<html xmlns="{XHTML_NS}" xmlns:ix="{IX_NS}" xmlns:ixt="{IXT_NS}" {xmlns} '
        f'xml:lang="{lang}">',
        "<head>",
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>',
        f'<meta name="generator" content="{GENERATOR}"/>',
        f"<title>{escape(document.title)}</title>",
        "<style type=\"text/css\">body{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;font-size:10pt;"
        "margin:2em;color:#1d2a33}table{border-collapse:collapse;width:100%;margin-bottom:1em}"
        "th,td{border:1px solid #d9e1e5;padding:2px 6px;text-align:left;vertical-align:top}"
        "td.num{text-align:right;white-space:nowrap}.code{color:#5b6b75;font-size:85%}</style>",
        "</head>",
        "<body>",
        # Inline XBRL 1.1 recommends (and Arelle warns otherwise) an inline display:none here.
        '<div style="display:none"><ix:header><ix:references>'
        f'<link:schemaRef xlink:type="simple" xlink:href="{taxonomy.entry_point}"/>'
        "</ix:references>",
        *([f'<ix:references target="{VSME_TARGET}"><link:schemaRef xlink:type="simple" '
           f'xlink:href="{VSME_ENTRY_POINT}"/></ix:references>'] if vsme else []),
        "<ix:resources>",
        *contexts,
        *(_unit_xml(u) for u in units.values()),
        "</ix:resources></ix:header></div>",
        f"<h1>{escape(document.title)}</h1>",
        f"<h2>{escape(document.headings['profile'])}</h2>",
        "<table>",
        *(f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
          for label, value in document.profile),
        "</table>",
    ]
    for section in document.sections:
        level = 2 if section.level <= 2 else 3
        out.append(f"<h{level}>{escape(section.title)}</h{level}>")
        if not section.lines:
            continue
        out.append(f"<table><tr><th>{escape(document.headings['indicator'])}</th>"
                   f"<th>{escape(document.headings['value'])}</th></tr>")
        for line in section.lines:
            if line.fact is not None:
                cell = _tagged(line.fact, document.lang, vsme.get(line.code, ""))
                if line.fact.negative:
                    cell = "-" + cell
                if line.unit_label:
                    cell += "\u00a0" + escape(line.unit_label)
                css = ' class="num"' if line.fact.unit is not None else ""
            else:
                cell, css = escape(line.text), ""
            out.append(f'<tr><td>{escape(line.label)} <span class="code">{escape(line.code)}'
                       f"</span></td><td{css}>{cell}</td></tr>")
        out.append("</table>")
    out.append(f"<h2>{escape(document.headings['notes'])}</h2><ul>")
    out.extend(f"<li>{escape(note)}</li>" for note in document.notes)
    out += ["</ul>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
