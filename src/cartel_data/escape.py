"""Text made safe for where it is shown: a terminal, a CI log, Markdown, HTML.

Data can hold anything a contributor typed. Printed raw, an ANSI escape sequence can
rewrite a terminal, a bidirectional override can make text read differently from what it
is, and a line break in a file name can start a line that GitHub Actions runs as a
workflow command. Every command prints data through these functions.

>>> terminal("ok\\x1b[31mred\\u202e")
'ok\\\\x1b[31mred\\\\u202e'
>>> github_data("a\\n::error::x")
'a%0A::error::x'
>>> markdown("*bold* <b>")
'\\\\*bold\\\\* &lt;b&gt;'
"""

from __future__ import annotations

import html
import re

#: C0 controls (tab and line feed kept by :func:`terminal` when ``keep_lines``), DEL, C1
#: controls, bidirectional overrides and isolates, zero-width and invisible formatting.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]")
_UNSAFE_NL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]")


def _code(m: re.Match) -> str:
    c = ord(m.group(0))
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def terminal(text, keep_lines: bool = False) -> str:
    """``text`` with every control, bidi and invisible formatting character shown as an escape."""
    if text is None:
        return ""
    text = str(text)
    return (_UNSAFE if keep_lines else _UNSAFE_NL).sub(_code, text)


def github_data(text: str) -> str:
    """A workflow command's message, escaped as the GitHub runner unescapes it."""
    return terminal(text, keep_lines=True).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A workflow command's property value (file=, title=), escaped per the runner's rules."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


_MD = re.compile(r"([\\`*_\[\]|~])")


def markdown(text) -> str:
    """``text`` as literal Markdown inline text: HTML escaped, Markdown syntax backslashed,
    line breaks turned into spaces, unsafe characters shown as escapes."""
    if text is None:
        return ""
    t = terminal(str(text)).replace("\\x0a", " ").replace("\\x0d", " ")
    t = html.escape(t, quote=False)
    return _MD.sub(r"\\\1", t)


def markdown_url(url) -> str:
    """A URL for a Markdown autolink ``<...>``: only https URLs, with ``<``, ``>`` and spaces encoded."""
    if not url or not str(url).startswith("https://"):
        return ""
    return str(url).replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
