"""QTI 3.0 packages: a zip of ``imsmanifest.xml``, one ``qti-assessment-item`` a
question and the image files.

A package is read within limits checked against each member's header before it is
read, with a parser that refuses document type declarations and entities; what QTI
has no place for (code, test, content area, task, status, pool, enemies) travels in
the manifest's resource metadata, namespace ``CW_NS``.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as xml_fromstring

from certwright.itemformats.checking import Problems, bundle_check
from certwright.itemformats.i18n import gettext as _
from certwright.itemformats.images import MAX_IMAGE_BYTES
from certwright.itemformats.model import (
    DRAFT,
    EXAM,
    OPTION_LETTERS,
    BankRules,
    ExchangeItem,
    ItemBundle,
    ItemFileError,
)

QTI_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
CP_NS = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
CW_NS = "https://certwright.org/xsd/items/1"
QTI_ITEM_TYPE = "imsqti_item_xmlv3p0"
# Limits on a package, checked against each member's header before it is read (and
# its reading stops at the header's size, which zipfile enforces with the CRC): a
# small zip can inflate to gigabytes.
MAX_PACKAGE_BYTES = 200 * 1024 * 1024  # all members, decompressed
MAX_XML_BYTES = 16 * 1024 * 1024  # one XML member (the manifest of a large bank)
MAX_PACKAGE_MEMBERS = 50_000  # an item and an image per item, 25,000 items
# Stored or deflated, as QTI packages are; anything else is refused unread.
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
ET.register_namespace("cw", CW_NS)


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def _cp(tag: str) -> str:
    return f"{{{CP_NS}}}{tag}"


def _cw(tag: str) -> str:
    return f"{{{CW_NS}}}{tag}"


def _sub(
    parent: ET.Element, tag: str, text: str | None = None, **attrs: str
) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()}
    )
    if text is not None:
        element.text = text
    return element


def _identifier(code: str) -> str:
    """A QTI identifier (an XML NCName) for ``code``."""
    return code if re.match(r"^[A-Za-z_][A-Za-z0-9._-]*$", code) else f"I{code}"


def qti_item_xml(item: ExchangeItem, *, image_href: str | None) -> bytes:
    """One qti-assessment-item: a single-choice interaction over options A-D, the
    key as the correct response, scoring by match, the rationale as modal
    feedback shown after responding."""
    root = ET.Element(
        "qti-assessment-item",
        {
            "identifier": _identifier(item.code),
            "title": item.code,
            "adaptive": "false",
            "time-dependent": "false",
            # Tags are written unqualified under this default namespace (ElementTree
            # cannot combine a default namespace with unqualified attributes).
            "xmlns": QTI_NS,
        },
    )
    declaration = _sub(
        root,
        "qti-response-declaration",
        identifier="RESPONSE",
        cardinality="single",
        base_type="identifier",
    )
    correct = _sub(declaration, "qti-correct-response")
    _sub(correct, "qti-value", item.key)
    for name, base in (("SCORE", "float"), ("FEEDBACK", "identifier")):
        _sub(
            root,
            "qti-outcome-declaration",
            identifier=name,
            cardinality="single",
            base_type=base,
        )
    body = _sub(root, "qti-item-body")
    _sub(body, "p", item.stem, **{"class": "stem"})
    if image_href is not None:
        figure = _sub(body, "p", **{"class": "figure"})
        _sub(
            figure,
            "img",
            src=image_href,
            alt=_("Figure for %(c)s") % {"c": item.code},
        )
    interaction = _sub(
        body,
        "qti-choice-interaction",
        response_identifier="RESPONSE",
        shuffle="false",
        max_choices="1",
    )
    for letter, text in zip(OPTION_LETTERS, item.options, strict=True):
        _sub(interaction, "qti-simple-choice", text, identifier=letter)
    processing = _sub(root, "qti-response-processing")
    condition = _sub(processing, "qti-response-condition")
    branch = _sub(condition, "qti-response-if")
    match = _sub(branch, "qti-match")
    _sub(match, "qti-variable", identifier="RESPONSE")
    _sub(match, "qti-correct", identifier="RESPONSE")
    for parent, score in (
        (branch, "1"),
        (_sub(condition, "qti-response-else"), "0"),
    ):
        setter = _sub(parent, "qti-set-outcome-value", identifier="SCORE")
        _sub(setter, "qti-base-value", score, base_type="float")
    setter = _sub(processing, "qti-set-outcome-value", identifier="FEEDBACK")
    _sub(setter, "qti-base-value", "RATIONALE", base_type="identifier")
    feedback = _sub(
        root,
        "qti-modal-feedback",
        outcome_identifier="FEEDBACK",
        identifier="RATIONALE",
        show_hide="show",
        title=_("Rationale"),
    )
    content = _sub(feedback, "qti-content-body")
    _sub(content, "p", item.rationale)
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def write_qti(bundles: Sequence[ItemBundle], *, program: str) -> bytes:
    """A zip: ``imsmanifest.xml``, ``items/<code>.xml`` and ``images/<file>``. The
    manifest's resource metadata carries what QTI has no place for: code, test,
    content area, task, status, pool and enemies (namespace ``CW_NS``); ``program``
    is the program id written for a bundle that names none."""
    manifest = ET.Element(
        "manifest", {"identifier": "certwright-items", "xmlns": CP_NS}
    )
    meta = _sub(manifest, "metadata")
    _sub(meta, "schema", "QTI Package")
    _sub(meta, "schemaversion", "3.0.0")
    _sub(manifest, "organizations")
    resources = _sub(manifest, "resources")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for bundle in bundles:
            for item in bundle.items:
                href = f"items/{bundle.test}/{item.code}.xml"
                image_href = (
                    f"images/{bundle.test}/{item.image}" if item.image else None
                )
                package.writestr(
                    href,
                    qti_item_xml(
                        item,
                        image_href=posixpath.relpath(
                            image_href, posixpath.dirname(href)
                        )
                        if image_href
                        else None,
                    ),
                )
                resource = _sub(
                    resources,
                    "resource",
                    identifier=_identifier(f"{bundle.test}.{item.code}"),
                    type=QTI_ITEM_TYPE,
                    href=href,
                )
                described = _sub(_sub(resource, "metadata"), _cw("item"))
                described.set("program", bundle.program or program)
                described.set("test", bundle.test)
                described.set("code", item.code)
                described.set("area", item.area)
                described.set("status", item.status)
                described.set("pool", item.pool)
                _sub(described, _cw("task"), item.task)
                for enemy in item.enemies:
                    _sub(described, _cw("enemy"), enemy)
                _sub(resource, "file", href=href)
                if image_href is not None and item.image is not None:
                    package.writestr(image_href, bundle.images[item.image])
                    _sub(resource, "file", href=image_href)
        ET.indent(manifest)
        package.writestr(
            "imsmanifest.xml",
            ET.tostring(manifest, encoding="utf-8", xml_declaration=True),
        )
    return buffer.getvalue()


def _xml(data: bytes, where: str, problems: Problems) -> ET.Element | None:
    # defusedxml refuses a document type declaration, entities and external
    # references while parsing, in whatever encoding the document declares (a byte
    # search for "<!DOCTYPE" misses UTF-16); QTI needs none of them.
    try:
        root = xml_fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        problems.add(where, _("XML with a document type declaration is not accepted"))
        return None
    except (ET.ParseError, ValueError, LookupError) as exc:
        problems.add(where, _("not well-formed XML: %(e)s") % {"e": exc})
        return None
    assert isinstance(root, ET.Element)
    return root


class _Package:
    """A zip read within the limits above. Problems with the package as a whole
    raise ItemFileError; a member that cannot be read adds a problem naming it."""

    def __init__(self, data: bytes, source: str, problems: Problems) -> None:
        self.problems = problems

        def refuse(reason: str) -> ItemFileError:
            return ItemFileError([f"{source}: {reason}"])

        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        # zipfile reports a damaged directory as BadZipFile, or with the error its
        # parsing hit (a bad offset, an impossible size, a multi-disk archive).
        except (
            zipfile.BadZipFile,
            ValueError,
            OSError,
            EOFError,
            NotImplementedError,
        ) as exc:
            raise refuse(_("not a zip file (%(e)s)") % {"e": exc}) from None
        if len(infos) > MAX_PACKAGE_MEMBERS:
            raise refuse(
                _("the package has more than %(n)d files") % {"n": MAX_PACKAGE_MEMBERS}
            )
        if sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
            raise refuse(
                _("the package is larger than %(n)d MB unpacked")
                % {"n": MAX_PACKAGE_BYTES // (1024 * 1024)}
            )
        self.infos = {i.filename: i for i in infos}

    def read(self, name: str, limit: int) -> bytes | None:
        """Member ``name``, or None after adding why it cannot be read."""
        info = self.infos[name]
        problem: str | None = None
        if info.flag_bits & 0x1:
            problem = _("is encrypted")
        elif info.compress_type not in ZIP_METHODS:
            problem = _("uses an unsupported compression method (%(m)d)") % {
                "m": info.compress_type
            }
        elif info.file_size > limit:
            problem = _("is larger than %(n)d bytes unpacked") % {"n": limit}
        else:
            try:
                with self.zip.open(info) as member:
                    data = member.read(limit + 1)
                if len(data) <= limit:
                    return data
                problem = _("is larger than %(n)d bytes unpacked") % {"n": limit}
            # A bad CRC, a truncated or corrupt deflate stream, a bad local header.
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                OSError,
                ValueError,
                NotImplementedError,
                RuntimeError,
            ) as exc:
                problem = _("is damaged (%(e)s)") % {"e": exc}
        self.problems.add(name, problem)
        return None


def _qti_item(root: ET.Element) -> dict[str, Any]:
    """The JSON-like form of a qti-assessment-item (code from its identifier; the
    manifest's metadata fills in the rest)."""
    raw: dict[str, Any] = {"code": root.get("title") or root.get("identifier")}
    correct = root.find(
        f"{_q('qti-response-declaration')}/{_q('qti-correct-response')}"
    )
    key_id = correct.findtext(_q("qti-value")) if correct is not None else None
    body = root.find(_q("qti-item-body"))
    choices: list[ET.Element] = []
    if body is not None:
        stem = body.find(f"{_q('p')}[@class='stem']")
        if stem is None:
            stem = body.find(_q("p"))
        raw["stem"] = (stem.text or "") if stem is not None else ""
        interaction = body.find(_q("qti-choice-interaction"))
        if interaction is not None:
            choices = interaction.findall(_q("qti-simple-choice"))
    if len(choices) == len(OPTION_LETTERS):
        raw["options"] = {
            letter: "".join(choice.itertext())
            for letter, choice in zip(OPTION_LETTERS, choices, strict=True)
        }
        ids = [c.get("identifier") for c in choices]
        raw["key"] = OPTION_LETTERS[ids.index(key_id)] if key_id in ids else key_id
    feedback = root.find(f"{_q('qti-modal-feedback')}/{_q('qti-content-body')}")
    if feedback is None:
        feedback = root.find(_q("qti-modal-feedback"))
    raw["rationale"] = (
        "".join(feedback.itertext()).strip() if feedback is not None else ""
    )
    if feedback is not None:
        paragraph = feedback.find(_q("p"))
        if paragraph is not None:
            raw["rationale"] = paragraph.text or ""
    return raw


def read_qti(
    data: bytes, *, rules: BankRules, source: str = "items.zip"
) -> list[ItemBundle]:
    """A QTI 3.0 package as ``write_qti`` makes it, checked against ``rules``; items
    of other tools need the manifest's ``cw:item`` metadata for their test and
    content area."""
    problems = Problems(source)
    package = _Package(data, source, problems)
    with package.zip:
        infos = package.infos
        if "imsmanifest.xml" not in infos:
            raise ItemFileError([f"{source}: " + _("imsmanifest.xml is missing")])
        text = package.read("imsmanifest.xml", MAX_XML_BYTES)
        manifest = _xml(text, "imsmanifest.xml", problems) if text is not None else None
        problems.raise_any()
        assert manifest is not None
        by_test: dict[str, list[dict[str, Any]]] = {}
        images: dict[str, dict[str, bytes | None]] = {}
        programs: dict[str, str] = {}
        for resource in manifest.iter(_cp("resource")):
            if resource.get("type") != QTI_ITEM_TYPE:
                continue
            href = resource.get("href") or ""
            if href not in infos:
                problems.add(href or "?", _("file named in the manifest is missing"))
                continue
            text = package.read(href, MAX_XML_BYTES)
            root = _xml(text, href, problems) if text is not None else None
            if root is None:
                continue
            raw = _qti_item(root)
            described = resource.find(f"{_cp('metadata')}/{_cw('item')}")
            test = ""
            if described is not None:
                test = described.get("test", "")
                programs[test] = described.get("program", "")
                raw["code"] = described.get("code", raw["code"])
                raw["area"] = described.get("area")
                raw["status"] = described.get("status", DRAFT)
                raw["pool"] = described.get("pool", EXAM)
                raw["task"] = described.findtext(_cw("task")) or ""
                raw["enemies"] = [e.text or "" for e in described.findall(_cw("enemy"))]
            for img in root.iter(_q("img")):
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(href), img.get("src", ""))
                )
                name = posixpath.basename(target)
                raw["image"] = name
                known = images.setdefault(test, {})
                if target in infos and name not in known:
                    known[name] = package.read(target, MAX_IMAGE_BYTES)
            by_test.setdefault(test, []).append(raw)
    bundles = []
    for test, raws in by_test.items():
        bundle = bundle_check(
            test=test,
            raws=raws,
            problems=problems,
            images=images.get(test, {}),
            rules=rules,
            program=programs.get(test, ""),
        )
        if bundle is not None:
            bundles.append(bundle)
    problems.raise_any()
    return bundles
