"""The czesg taxonomy package (a zip after the XBRL Taxonomy Packages 1.0 recommendation): the
schema with one concept per indicator, its label linkbase in Chinese and English, its
calculation linkbase (Calculations 1.1) and the ``META-INF`` catalog that maps the taxonomy's
public URIs to the files in the zip."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from czesg.engine.catalogue import Catalogue
from czesg.engine.xbrl.calculations import CALCULATION_SCHEMA, SUMMATION_ITEM, summations
from czesg.engine.xbrl.concepts import DTR_SCHEMA, NAMESPACES, XBRLI_SCHEMA, Taxonomy

PACKAGE_NS = "http://xbrl.org/2016/taxonomy-package"
CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
LABEL_ROLE = "http://www.xbrl.org/2003/role/label"
SCHEMA_NAME = "czesg.xsd"
LABELS_NAME = "czesg-lab.xml"
CALCULATIONS_NAME = "czesg-cal.xml"


def package_root(taxonomy: Taxonomy) -> str:
    """The top folder of the package zip (the packages spec wants exactly one)."""
    return f"czesg-{taxonomy.version}"


def schema_xml(taxonomy: Taxonomy) -> str:
    """The taxonomy schema: one item concept per indicator."""
    ns = taxonomy.namespace
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{ns}" '
        f'xmlns:czesg="{ns}" xmlns:xbrli="{NAMESPACES["xbrli"]}" '
        f'xmlns:link="{NAMESPACES["link"]}" xmlns:xlink="{NAMESPACES["xlink"]}" '
        f'xmlns:dtr="{NAMESPACES["dtr"]}" elementFormDefault="qualified" '
        'attributeFormDefault="unqualified">',
        "  <xs:annotation><xs:appinfo>",
        f'    <link:linkbaseRef xlink:type="simple" xlink:href="{LABELS_NAME}" '
        'xlink:role="http://www.xbrl.org/2003/role/labelLinkbaseRef" '
        'xlink:arcrole="http://www.w3.org/1999/xlink/properties/linkbase"/>',
        f'    <link:linkbaseRef xlink:type="simple" xlink:href="{CALCULATIONS_NAME}" '
        'xlink:role="http://www.xbrl.org/2003/role/calculationLinkbaseRef" '
        'xlink:arcrole="http://www.w3.org/1999/xlink/properties/linkbase"/>',
        "  </xs:appinfo></xs:annotation>",
        f'  <xs:import namespace="{NAMESPACES["xbrli"]}" schemaLocation="{XBRLI_SCHEMA}"/>',
        f'  <xs:import namespace="{NAMESPACES["dtr"]}" schemaLocation="{DTR_SCHEMA}"/>',
    ]
    for concept in taxonomy.concepts.values():
        lines.append(
            f'  <xs:element id="czesg_{concept.name}" name="{concept.name}" '
            f'type="{concept.item_type}" substitutionGroup="xbrli:item" '
            f'xbrli:periodType="{concept.period_type}" nillable="true" abstract="false"/>')
    lines.append("</xs:schema>")
    return "\n".join(lines) + "\n"


def labels_xml(taxonomy: Taxonomy) -> str:
    """The label linkbase: each concept's Chinese (``zh``) and English (``en``) label."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<link:linkbase xmlns:link="{NAMESPACES["link"]}" xmlns:xlink="{NAMESPACES["xlink"]}" '
        'xmlns:xml="http://www.w3.org/XML/1998/namespace">',
        '  <link:labelLink xlink:type="extended" xlink:role="http://www.xbrl.org/2003/role/link">',
    ]
    for concept in taxonomy.concepts.values():
        name = concept.name
        lines.append(f'    <link:loc xlink:type="locator" xlink:href="{SCHEMA_NAME}#czesg_{name}" '
                     f'xlink:label="loc_{name}"/>')
        for lang, text in (("zh", concept.indicator.name_zh), ("en", concept.indicator.name_en)):
            lines.append(f'    <link:label xlink:type="resource" xlink:label="lab_{name}_{lang}" '
                         f'xlink:role="{LABEL_ROLE}" xml:lang="{lang}">{escape(text)}'
                         "</link:label>")
            lines.append('    <link:labelArc xlink:type="arc" '
                         'xlink:arcrole="http://www.xbrl.org/2003/arcrole/concept-label" '
                         f'xlink:from="loc_{name}" xlink:to="lab_{name}_{lang}"/>')
    lines += ["  </link:labelLink>", "</link:linkbase>"]
    return "\n".join(lines) + "\n"


def calculations_xml(taxonomy: Taxonomy) -> str:
    """The calculation linkbase: each catalogue sum as summation-item arcs of weight 1."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<link:linkbase xmlns:link="{NAMESPACES["link"]}" xmlns:xlink="{NAMESPACES["xlink"]}">',
        f'  <link:arcroleRef arcroleURI="{SUMMATION_ITEM}" xlink:type="simple" '
        f'xlink:href="{CALCULATION_SCHEMA}#summation-item"/>',
        '  <link:calculationLink xlink:type="extended" '
        'xlink:role="http://www.xbrl.org/2003/role/link">',
    ]
    located: set[str] = set()
    for total, parts in summations(taxonomy).items():
        for name in (total, *parts):
            if name not in located:
                located.add(name)
                lines.append(f'    <link:loc xlink:type="locator" '
                             f'xlink:href="{SCHEMA_NAME}#czesg_{name}" xlink:label="loc_{name}"/>')
        for order, part in enumerate(parts, start=1):
            lines.append(f'    <link:calculationArc xlink:type="arc" xlink:arcrole="{SUMMATION_ITEM}" '
                         f'xlink:from="loc_{total}" xlink:to="loc_{part}" order="{order}" '
                         'weight="1"/>')
    lines += ["  </link:calculationLink>", "</link:linkbase>"]
    return "\n".join(lines) + "\n"


def package_xml(taxonomy: Taxonomy, catalogue: Catalogue, published: date | None) -> str:
    """``META-INF/taxonomyPackage.xml``: identifier, names, version and the entry point."""
    when = (published or catalogue.published or date.today()).isoformat()
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<tp:taxonomyPackage xmlns:tp="{PACKAGE_NS}" xml:lang="en">',
        f"  <tp:identifier>{escape(taxonomy.namespace)}</tp:identifier>",
        f"  <tp:name>{escape(catalogue.title_en)} (czesg taxonomy)</tp:name>",
        f'  <tp:name xml:lang="zh">{escape(catalogue.title_zh)}（czesg 分类标准）</tp:name>',
        "  <tp:description>One concept per indicator of the czesg indicator catalogue "
        f"{escape(catalogue.version)}; written by the platform from its catalogue data."
        "</tp:description>",
        f"  <tp:version>{escape(taxonomy.version)}</tp:version>",
        "  <tp:publisher>czesg (Changzhou ESG data service platform)</tp:publisher>",
        f"  <tp:publicationDate>{when}</tp:publicationDate>",
        "  <tp:entryPoints><tp:entryPoint>",
        f"    <tp:name>czesg {escape(taxonomy.version)}</tp:name>",
        f"    <tp:entryPointDocument href={quoteattr(taxonomy.entry_point)}/>",
        "  </tp:entryPoint></tp:entryPoints>",
        "</tp:taxonomyPackage>",
    ]) + "\n"


def catalog_xml(taxonomy: Taxonomy) -> str:
    """``META-INF/catalog.xml``: the taxonomy's public URIs rewritten to the zip's files."""
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<catalog xmlns="{CATALOG_NS}">',
        f'  <rewriteURI uriStartString="{taxonomy.namespace}/" rewritePrefix="../taxonomy/"/>',
        "</catalog>",
    ]) + "\n"


def package_zip(taxonomy: Taxonomy, catalogue: Catalogue, published: date | None = None) -> bytes:
    """The taxonomy package as zip bytes (fixed timestamps: the same catalogue gives the same
    bytes)."""
    root = package_root(taxonomy)
    files = {
        f"{root}/META-INF/taxonomyPackage.xml": package_xml(taxonomy, catalogue, published),
        f"{root}/META-INF/catalog.xml": catalog_xml(taxonomy),
        f"{root}/taxonomy/{SCHEMA_NAME}": schema_xml(taxonomy),
        f"{root}/taxonomy/{LABELS_NAME}": labels_xml(taxonomy),
        f"{root}/taxonomy/{CALCULATIONS_NAME}": calculations_xml(taxonomy),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
