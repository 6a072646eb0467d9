"""Lists drawn by JavaScript: find the list endpoint in a page's scripts, call it politely, page through it.

Many portals print an empty ``<ul>`` and fill it from a JSON API: ``$.ajax({url: '/api/list?channel=' +
channel + '&page=' + p})``, ``$.get``/``$.post``/``$.getJSON``, ``fetch(`/api?page=${p}`)``, ``axios``,
JSONP callbacks. No JavaScript is run: the call's URL and data are read as text, variables are looked
up where the script assigns them a literal, and the parameter that carries the page number is
recognised by name (``scriptlists.yaml``). An endpoint whose other parameters stay unknown is not
called; the reason is kept so an empty column can say why. The answer may be JSON, JSONP or JSON
wrapped in HTML; the list is the array of objects with a title and a URL.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import yaml

from extract.crawl.links import Link, canonical_url, parse_date
from extract.crawl.titles import clean_title

VOCABULARY_FILE = Path(__file__).with_name("scriptlists.yaml")
JSONP_CALLBACK = "jsonpCallback"  # the name a browser's jQuery would generate is arbitrary too
DEFAULT_SIZE = "10"
MAX_EXTERNAL_SCRIPTS = 4

_CALL = re.compile(r"(?:\$|jQuery)\s*\.\s*(ajax|get|post|getJSON)\s*\("
                   r"|\b(fetch)\s*\("
                   r"|\baxios\s*(?:\.\s*(get|post))?\s*\(")
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_SRC = re.compile(r"""\bsrc\s*=\s*["']([^"']+)["']""", re.I)
_ASSIGN = re.compile(r"""(?:\b(?:var|let|const)\s+)?["']?([A-Za-z_$][\w$]*)["']?\s*[:=]\s*"""
                     r"""(?:(["'])(.*?)\2|(-?\d+)\b)""")
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*|\[\s*['\"][^'\"]+['\"]\s*\])*$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_WRAPPER_CALL = re.compile(r"^(?:encodeURIComponent|encodeURI|escape|String|parseInt|Number)\s*\((.*)\)$", re.S)
_PLACEHOLDER = re.compile(r"\x00([^\x00]*)\x00")
_JSONP = re.compile(r"^\s*[\w$.]+\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.S)


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    raw = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    lower = {k: {v.lower() for v in vals} for k, vals in raw.items() if k not in ("library_scripts", "login_wall")}
    lower["library_scripts"] = [re.compile(p, re.I) for p in raw["library_scripts"]]
    lower["login_url"] = re.compile(raw["login_wall"]["url"], re.I)
    lower["login_page"] = [re.compile(p, re.I) for p in raw["login_wall"]["page"]]
    return lower


def _is(name: str, kind: str) -> bool:
    return name.lower() in vocabulary()[kind]


# ---------------------------------------------------------------------------------------------
# Reading JavaScript as text
# ---------------------------------------------------------------------------------------------
_PAIRS = {"(": ")", "[": "]", "{": "}"}


def _skip_string(text: str, i: int) -> int:
    """Index just after the string literal starting at ``text[i]`` (a quote or backtick)."""
    quote, i = text[i], i + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return len(text)


def _scan(text: str, start: int = 0):
    """(index, character, depth) of every character outside string literals, from ``start``. ``depth``
    counts the brackets open around the character: an opening bracket is at the depth outside it, its
    closing bracket at the same depth again; a bracket closing one opened before ``start`` is at -1."""
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch in "'\"`":
            i = _skip_string(text, i)
            continue
        if ch in ")]}":
            depth -= 1
        yield i, ch, depth
        if ch in _PAIRS:
            depth += 1
        i += 1


def _closing(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``text[start]`` (strings skipped), or len(text)."""
    return next((i for i, ch, depth in _scan(text, start) if depth == 0 and ch in ")]}"), len(text))


def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside strings and brackets."""
    cuts = [i for i, ch, depth in _scan(text) if ch == sep and depth == 0]
    bounds = zip([-1, *cuts], [*cuts, len(text)])
    return [text[a + 1:b].strip() for a, b in bounds]


def _unquote_js(body: str) -> str:
    return re.sub(r"\\(.)", r"\1", body)


def assignments(script: str) -> dict[str, str]:
    """Literal values scripts give names (``var channel = 'bmnb'``, ``size: 10``); the first one wins."""
    found: dict[str, str] = {}
    for m in _ASSIGN.finditer(script):
        name, value = m.group(1), m.group(3) if m.group(2) else m.group(4)
        found.setdefault(name, _unquote_js(value))
    return found


def evaluate(expr: str, names: dict[str, str]) -> str:
    """A URL expression as text; what cannot be known becomes ``\\x00name\\x00`` (the variable's name)."""
    out = []
    for term in _split_top(expr.strip(), "+"):
        out.append(_term(term.strip(), names))
    return "".join(out)


def _term(term: str, names: dict[str, str]) -> str:
    while term.startswith("(") and _closing(term, 0) == len(term) - 1:
        term = term[1:-1].strip()
    if not term:
        return ""
    if term[0] in "'\"" and _skip_string(term, 0) == len(term):
        return _unquote_js(term[1:-1])
    if term[0] == "`" and _skip_string(term, 0) == len(term):
        return re.sub(r"\$\{([^}]*)\}", lambda m: evaluate(m.group(1), names), term[1:-1])
    if _NUMBER.match(term):
        return term
    wrapped = _WRAPPER_CALL.match(term)
    if wrapped:
        return evaluate(_split_top(wrapped.group(1), ",")[0], names)
    if _IDENT.match(term):
        last = re.findall(r"[A-Za-z_$][\w$]*", term.replace("'", " ").replace('"', " "))[-1]
        return names[last] if last in names else f"\x00{last}\x00"
    return "\x00?\x00"


def raw_object(text: str) -> dict[str, str] | None:
    """``{a: expr, 'b': expr}`` → the expressions' texts by key; None when ``text`` is not an object literal."""
    text = text.strip()
    if not text.startswith("{") or _closing(text, 0) != len(text) - 1:
        return None
    out = {}
    for part in _split_top(text[1:-1], ","):
        key, sep, value = part.partition(":")
        if sep and key.strip():
            out[key.strip().strip("'\"")] = value.strip()
    return out


def object_literal(text: str, names: dict[str, str]) -> dict[str, str] | None:
    """``{a: expr, 'b': expr}`` → evaluated values (functions as ""); None when not an object literal."""
    raw = raw_object(text)
    if raw is None:
        return None
    return {k: evaluate(v, names) if not v.startswith("function") else "" for k, v in raw.items()}


# ---------------------------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------------------------
@dataclass
class Endpoint:
    """A list API a page calls: fixed parameters plus the one that carries the page number."""

    url: str  # scheme://host/path, no query
    method: str
    params: list[tuple[str, str]]  # in the order the script sends them; the page param's value is a marker
    page_param: str
    first_page: int = 1
    size: int | None = None
    in_form: bool = False  # POST: parameters go in the form body
    json_body: bool = False  # POST: parameters go in a JSON body (``JSON.stringify({...})``, axios.post)

    def request(self, page: int) -> tuple[str, str, dict | str | None]:
        """(url, method, form dict or JSON text) of page ``page``."""
        values = [(k, str(page) if k == self.page_param else v) for k, v in self.params]
        if self.json_body:  # numbers as numbers: typed JSON APIs refuse "1" for an int field now and then
            return self.url, self.method, json.dumps({k: int(v) if v.isdigit() else v for k, v in values},
                                                     ensure_ascii=False, separators=(",", ":"))
        if self.in_form:
            return self.url, self.method, dict(values)
        return f"{self.url}?{urlencode(values)}", self.method, None

    @property
    def key(self) -> tuple:
        return self.url, self.method, tuple((k, v) for k, v in self.params if k != self.page_param)


@dataclass
class ScriptReading:
    """What a page's scripts revealed: endpoints to call, and why other calls were not understood."""

    endpoints: list[Endpoint] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
    saw_calls: bool = False  # the scripts load something (ajax/fetch/JSONP) at all


def _call_options(kind: str, args: list[str], names: dict[str, str]) -> dict | None:
    """url / method / data / jsonp of one call, from its argument texts."""
    if not args or not args[0]:
        return None
    if kind == "ajax" or (kind == "axios" and args[0].startswith("{")):
        opts = raw_object(args[0])
        if opts is None or "url" not in opts:
            return None
        data_text, json_body = _json_stringified(opts.get("data", ""))
        data = object_literal(data_text, names)
        jsonp = "jsonp" in evaluate(opts.get("dataType", "''"), names).lower() or "jsonp" in opts
        callback_param = evaluate(opts["jsonp"], names) if "jsonp" in opts else "callback"
        method = evaluate(opts.get("type") or opts.get("method") or "'GET'", names).upper()
        return {"url": evaluate(opts["url"], names), "method": method, "data": data, "jsonp": jsonp,
                "callback_param": callback_param, "json": json_body}
    method = "POST" if kind in ("post", "axios-post") else "GET"
    second = args[1] if len(args) > 1 else ""
    data = object_literal(second, names)  # $.get/$.post/$.getJSON(url, {data}), axios.post(url, {data})
    json_body = kind == "axios-post"  # axios sends an object as JSON
    if kind == "fetch":  # fetch(url, {method, body})
        opts = raw_object(second) or {}
        method = evaluate(opts.get("method", "'GET'"), names).upper()
        body, json_body = _json_stringified(opts.get("body", ""))
        data = object_literal(body, names)
    elif kind == "axios-get":  # axios.get(url, {params: {...}})
        data = object_literal((raw_object(second) or {}).get("params", ""), names)
    url = evaluate(args[0], names)
    return {"url": url, "method": method, "data": data, "jsonp": "callback=?" in url, "callback_param": "callback",
            "json": json_body}


def _json_stringified(text: str) -> tuple[str, bool]:
    """(the object literal, True) of ``JSON.stringify({...})``; (text, False) otherwise."""
    match = re.fullmatch(r"\s*JSON\s*\.\s*stringify\s*\((.*)\)\s*", text or "", re.S)
    return (match.group(1), True) if match else (text, False)


def _calls(script: str) -> list[tuple[str, list[str]]]:
    out = []
    for m in _CALL.finditer(script):
        kind = (m.group(1) or m.group(2) or ("axios-" + m.group(3) if m.group(3) else "axios")).lower()
        kind = {"getjson": "get"}.get(kind, kind)
        open_at = m.end() - 1
        close = _closing(script, open_at)
        out.append((kind, _split_top(script[open_at + 1:close], ",")))
    return out


_URL_LITERAL = re.compile(r"""(["'`])((?:https?://|/|\.{1,2}/|[\w\-]+/)[^"'`\s]*\?[^"'`\s]*)\1""")


def _expression_end(script: str, start: int) -> int:
    """End of the expression starting at ``start``: a ``;``, ``,`` or closing bracket at depth 0, or a
    line break not continued by ``+``."""
    for i, ch, depth in _scan(script, start):
        if depth < 0 or (depth == 0 and ch in ";,"):
            return i
        if depth == 0 and ch == "\n":
            before, after = script[start:i].rstrip(), script[i:].lstrip()
            if not before.endswith("+") and not after.startswith("+"):
                return i
    return len(script)


def _url_templates(script: str, names: dict[str, str]) -> list[dict]:
    """URL templates with a page parameter anywhere in the scripts (``var url = "/list?ch=1&page=" + p;``)."""
    out = []
    for m in _URL_LITERAL.finditer(script):
        url = evaluate(script[m.start():_expression_end(script, m.start())], names)
        query = urlsplit(url).query
        if any(_is(k, "page_params") for k, _ in parse_qsl(query, keep_blank_values=True)):
            out.append({"url": url, "method": "GET", "data": None, "jsonp": "callback=?" in url,
                        "callback_param": "callback"})
    return out


def _endpoint(call: dict, page_url: str) -> tuple[Endpoint | None, str | None]:
    """The endpoint of one call, or (None, why it cannot be called)."""
    raw_url = call["url"].replace("callback=?", f"callback={JSONP_CALLBACK}")
    if _PLACEHOLDER.search(raw_url.split("?")[0]):
        return None, f"URL path built at run time ({_readable(raw_url)})"
    absolute = urljoin(page_url, raw_url.split("?", 1)[0])
    query = raw_url.split("?", 1)[1] if "?" in raw_url else ""
    params = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)]
    in_form = call["method"] == "POST"
    json_body = in_form and call.get("json", False)
    params += list((call["data"] or {}).items())
    if call["jsonp"] and not any(k == call["callback_param"] for k, _ in params):
        params.append((call["callback_param"], JSONP_CALLBACK))
    page_param, size, fixed = None, None, []
    for key, value in params:
        unknown = _PLACEHOLDER.findall(value)
        if _is(key, "page_params") or any(_is(u, "page_params") for u in unknown):
            page_param = page_param or key
            fixed.append((key, value if not unknown else "1"))
        elif _is(key, "size_params"):
            value = value if not unknown else DEFAULT_SIZE
            size = int(value) if value.isdigit() else None
            fixed.append((key, value))
        elif unknown:
            return None, f"parameter {key} comes from {', '.join(unknown)} ({_readable(raw_url)})"
        else:
            fixed.append((key, value))
    if page_param is None:
        return None, None  # not a paged list (a visit counter, a search box): not a finding
    first = next((int(v) for k, v in fixed if k == page_param and v.isdigit()), 1)
    parts = urlsplit(absolute)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    method = "POST" if in_form else "GET"
    return Endpoint(base, method, fixed, page_param, first_page=0 if first == 0 else 1, size=size,
                    in_form=in_form and not json_body, json_body=json_body), None


def _readable(url: str) -> str:
    return _PLACEHOLDER.sub(lambda m: "{" + m.group(1) + "}", url)


def page_scripts(html: str) -> tuple[list[str], list[str]]:
    """(inline script bodies, ``src`` of external scripts) of a page."""
    inline, external = [], []
    for attrs, body in _SCRIPT.findall(html):
        src = _SRC.search(attrs)
        if src:
            external.append(src.group(1))
        elif body.strip():
            inline.append(body)
    return inline, external


def is_library(src: str) -> bool:
    name = urlsplit(src).path.rsplit("/", 1)[-1]
    return any(p.search(name) for p in vocabulary()["library_scripts"])


def read_scripts(scripts: list[str], page_url: str) -> ScriptReading:
    """Endpoints of paged lists the scripts call (variables resolved across all of them)."""
    text = "\n".join(scripts)
    names = assignments(text)
    reading = ScriptReading()
    candidates = []
    for kind, args in _calls(text):
        reading.saw_calls = True
        call = _call_options(kind, args, names)
        if call:
            candidates.append(call)
    candidates += _url_templates(text, names)
    seen = set()
    for call in candidates:
        endpoint, problem = _endpoint(call, page_url)
        if endpoint is not None and endpoint.key not in seen:
            seen.add(endpoint.key)
            reading.endpoints.append(endpoint)
        elif problem and problem not in reading.not_understood:
            reading.not_understood.append(problem)
    if re.search(r"XMLHttpRequest|\.jsonp?\b|callback=", text):
        reading.saw_calls = True
    return reading


# ---------------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------------
def decode_answer(text: str):
    """The JSON value of an answer that may be JSON, JSONP (``cb({...});``) or JSON inside HTML."""
    text = text.strip().lstrip("\ufeff")
    for candidate in (text, (_JSONP.match(text) or [None, None])[1]):
        if candidate:
            try:
                return json.loads(candidate)
            except json.JSONDecodeError:
                pass
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start >= 0:
        try:
            return json.JSONDecoder().raw_decode(text, start)[0]
        except json.JSONDecodeError:
            return None
    return None


def _first_key(obj: dict, kind: str):
    for key, value in obj.items():
        if _is(key, kind) and value not in (None, ""):
            return value
    return None


def _lists_of_items(node, depth: int = 0):
    if depth > 4:
        return
    if isinstance(node, list):
        dicts = [x for x in node if isinstance(x, dict)]
        if dicts:
            yield dicts
        for x in dicts:
            for value in x.values():
                if isinstance(value, (list, dict)):
                    yield from _lists_of_items(value, depth + 1)
    elif isinstance(node, dict):
        for value in node.values():
            if isinstance(value, (list, dict)):
                yield from _lists_of_items(value, depth + 1)


def _item(obj: dict, api_url: str) -> Link | None:
    title, url = _first_key(obj, "title_keys"), _first_key(obj, "url_keys")
    if not isinstance(title, str) or not isinstance(url, str):
        return None
    date = _first_key(obj, "date_keys")
    return Link(canonical_url(urljoin(api_url, url.strip())), clean_title(re.sub(r"<[^>]+>", "", title)),
                _api_date(date), "api")


def _api_date(value) -> str | None:
    if isinstance(value, (int, float)) and value > 10**9:
        from datetime import datetime, timedelta, timezone

        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, timezone(timedelta(hours=8))).date().isoformat()
    return parse_date(str(value)) if value else None


def _first_count(obj: dict, kind: str) -> int | None:
    """The first whole number under a key of ``kind`` (``records`` may be the list, ``total`` its count)."""
    for key, value in obj.items():
        if _is(key, kind) and isinstance(value, (int, str)) and not isinstance(value, bool) and str(value).isdigit():
            return int(value)
    return None


def _counts(node, depth: int = 0) -> tuple[int | None, int | None]:
    """(total items, page count) wherever the answer states them (top level or one wrapper down)."""
    total = pages = None
    if isinstance(node, dict) and depth <= 2:
        total, pages = _first_count(node, "total_keys"), _first_count(node, "page_count_keys")
        for value in node.values():
            if total is not None and pages is not None:
                break
            if isinstance(value, dict):
                t2, p2 = _counts(value, depth + 1)
                total, pages = total if total is not None else t2, pages if pages is not None else p2
    return total, pages


def read_answer(text: str, api_url: str) -> tuple[list[Link], int | None, int | None] | None:
    """(items, total, page count) of one list answer; None when it is not JSON at all."""
    value = decode_answer(text)
    if value is None:
        return None
    best: list[Link] = []
    for dicts in _lists_of_items(value):
        items = [it for it in (_item(d, api_url) for d in dicts) if it is not None]
        if len(items) > len(best):
            best = items
    total, pages = _counts(value)
    return best, total, pages


def last_page(endpoint: Endpoint, total: int | None, pages: int | None, first_items: int) -> int | None:
    """The last page number to ask for, when the answer says how many there are."""
    if pages is not None and pages >= 0:
        return endpoint.first_page + pages - 1
    size = endpoint.size or first_items
    if total is not None and size:
        return endpoint.first_page + max(1, math.ceil(total / size)) - 1
    return None


# ---------------------------------------------------------------------------------------------
# Why a column gave nothing
# ---------------------------------------------------------------------------------------------
_INVISIBLE = re.compile(r"<(script|style|head|noscript)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
JS_ONLY_TEXT_CHARS = 200  # a page showing less text than this without its scripts is a script shell


def empty_column_reason(html: str, url: str, reading: ScriptReading | None) -> str:
    """The guessed reason a column yielded no report: login wall, a script-loaded list not understood,
    a page that is JavaScript only, or plainly no report-titled link. Only the page and its scripts are
    read; nothing is fetched."""
    vocab = vocabulary()
    if vocab["login_url"].search(urlsplit(url).path) or any(p.search(html) for p in vocab["login_page"]):
        return "login wall: the column asks for a login"
    inline, external = page_scripts(html)
    if reading is None:
        reading = read_scripts(inline, url)
    if reading.not_understood:
        return "script-loaded list not understood: " + "; ".join(reading.not_understood[:2])
    if reading.endpoints:
        return f"script-loaded list answered no report items ({reading.endpoints[0].url})"
    if reading.saw_calls:
        return "script-loaded list not understood: the scripts call the server, but no paged list endpoint was found"
    visible = re.sub(r"\s+", "", _TAGS.sub(" ", _INVISIBLE.sub(" ", html)))
    if (inline or external) and len(visible) < JS_ONLY_TEXT_CHARS:
        return ("JavaScript only: the page shows almost nothing without running its scripts "
                "(no headless browser: not supported)")
    return "no report-titled link on the column's pages"
