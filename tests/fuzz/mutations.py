"""Input mutations shared by the fuzz targets."""

from __future__ import annotations

from hypothesis import strategies as st

# Text the databases or parsers have tripped on: NUL, a lone surrogate, a very
# long value, markup, entity tricks, deep nesting, NaN.
NASTY = [
    "\x00",
    "\ud800",
    "x" * 301,
    "A" * 41,
    "<!DOCTYPE x [<!ENTITY e 'boom'>]>",
    "&e;",
    "[" * 3000,
    "NaN",
    "\r",
    '"',
    "../../etc/passwd",
    "fig.svg",
    "fig.png",
]
NASTY_BYTES = [s.encode("utf-8", "surrogatepass") for s in NASTY] + [
    b"\xff\xfe",
    b'"key": "A", "key": "D"',
    b"\\u0000",
    b"\\ud800",
    b"PK\x03\x04",
]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` after a few random edits: a flipped byte, a cut, an insertion of
    random or nasty bytes."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        edit = draw(st.sampled_from(["flip", "cut", "insert", "nasty"]))
        if edit == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif edit == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            data[at:at] = draw(st.sampled_from(NASTY_BYTES))
    return bytes(data)
