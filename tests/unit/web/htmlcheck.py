"""Finding injected markup: parse a response the way a browser does (html5lib) and list anything our templates
never produce — an unknown element, an unknown or event-handler attribute, a script other than ours, a
`javascript:`/`data:` URL, or a template expression that was evaluated."""

from __future__ import annotations

import html5lib

TAGS = frozenset(
    "a article aside body button caption code dd del details div dl dt fieldset figcaption figure footer form g "
    "h1 h2 h3 h4 head header html iframe input ins label legend li link main mark meta nav ol option p rect script "
    "section select span strong summary svg table tbody td text textarea th thead time title tr ul".split()
)
ATTRIBUTES = frozenset(
    "action aria-current aria-label aria-labelledby aria-live autocomplete charset class content "
    "data-copy-target for height href id lang maxlength method name placeholder referrerpolicy rel role rows "
    "sandbox scope src start tabindex title type value width x y viewbox checked selected readonly defer datetime "
    "open colspan fill data-agency data-figure data-month data-gap data-year data-status".split()
)
URL_ATTRIBUTES = ("href", "src", "action")
OUR_SCRIPT = "/static/app.js"


def _local(tag: object) -> str:
    name = str(tag)
    return name.rsplit("}", 1)[-1].lower()


def injected(markup: bytes | str) -> list[str]:
    """Problems found in one HTML response; empty when nothing foreign is in it."""
    doc = html5lib.parse(markup, treebuilder="etree", namespaceHTMLElements=False)
    problems: list[str] = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue  # comments
        tag = _local(el.tag)
        if tag not in TAGS:
            problems.append(f"element <{tag}>")
        for raw_name, value in el.attrib.items():
            name = _local(raw_name)
            if name.startswith("on") or name not in ATTRIBUTES:
                problems.append(f"attribute {name!r} on <{tag}>")
            if name in URL_ATTRIBUTES:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    problems.append(f"{name}={value!r} on <{tag}>")
        if tag == "script" and el.attrib.get("src") != OUR_SCRIPT:
            problems.append(f"script {el.attrib!r}")
        if tag == "iframe" and el.attrib.get("sandbox") != "":
            problems.append("iframe without an empty sandbox")
        if tag == "link" and el.attrib.get("rel") not in ("stylesheet", "alternate", "icon"):
            problems.append(f"link rel={el.attrib.get('rel')!r}")
    return problems
