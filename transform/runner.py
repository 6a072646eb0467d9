"""One document in, one extraction result out (the JSON of ``spec/extract-output.md``).

``extract_bytes`` runs in the calling process. ``IsolatedExtractor`` runs it in a forked child with a time
and memory limit per document, so a hostile file (a decompression bomb, a PDF that sends pdfminer into a
loop) fails alone with a clear issue instead of hanging or killing the run; the child serves the next
document unless this one ended badly. ``extract_isolated`` (bytes already in memory) and ``extract_path``
(a local file) are one document in a child of its own.

``extract_path`` opens and reads the file inside that child, never in the caller: only a regular file is
read (a FIFO, ``/dev/zero`` or a directory is ``unreadable_file`` at once), and only up to a size cap
(``parser_limit``, limit ``file_size``), so neither process ever holds a 2 GiB file. The child dies with
its parent (``PR_SET_PDEATHSIG``): a ``kill -9`` of ``xxgk extract`` leaves nothing parsing.

Every ``parser_limit`` issue names the limit it hit in ``limit``: ``time``, ``memory``, ``file_size`` or
a reader's own cap (``docx_grid_cells`` …).
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import logging
import multiprocessing
import os
import resource
import signal
import stat
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract import media
from extract.documents import ocr
from extract.documents.model import Document, DocumentError, place_on_article_page
from transform.report import PARSER_VERSION, build_report

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_MB = 3072
# Real annual reports are a few MB (the largest PDFs seen, with scanned pages, ~60 MB); anything far
# larger is not a report, and reading it would only spend the night's memory.
DEFAULT_MAX_FILE_MB = 200.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Stream name (UTF-16 in the OLE directory) of an encrypted Office Open XML file (MS-OFFCRYPTO).
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_CHUNK = 1024 * 1024
# Readers' own caps raise DocumentError("parser_limit", …) with the limit's name as ``limit``.
PARSER_LIMIT = "parser_limit"


def read_document(data: bytes, media_type: str) -> Document:
    """Dispatch to the reader for ``media_type``."""
    if media_type == media.PDF:
        from extract.documents.pdf import read_pdf

        return read_pdf(data)
    if media_type == media.DOCX:
        from extract.documents.docx import read_docx

        return read_docx(data)
    if media_type == media.HTML:
        from extract.documents.webpage import read_html

        return read_html(data)
    raise ValueError(f"no reader for {media_type}")


def _envelope(source: str, data: bytes | None, media_type: str | None) -> dict:
    sha = hashlib.sha256(data).hexdigest() if data is not None else None
    return {"source": source, "sha256": sha, "media_type": media_type}


def _out_of_memory(exc: BaseException) -> bool:
    """Python's MemoryError, or a native library's failed allocation (onnxruntime and OpenCV raise their own
    errors saying ``bad_alloc`` / ``Failed to allocate``) under the child's memory limit."""
    return isinstance(exc, MemoryError) or any(
        sign in str(exc) for sign in ("bad_alloc", "Failed to allocate", "Insufficient memory"))


def _empty(status: str, code: str, message: str, severity: str = "error", **details) -> dict:
    return {
        "status": status,
        "report": {"agency": None, "region": None, "year": None, "format_version": None, "title": None},
        "tables": {}, "cells_source": [], "checks": [],
        "issues": [{"severity": severity, "code": code, "message": message, **details}],
    }


def _failed(envelope: dict, code: str, message: str, **details) -> dict:
    out = dict(envelope)
    out.update(_empty("failed", code, message, **details))
    out["parser_version"] = PARSER_VERSION
    return out


def read_pages(data: bytes, media_type: str, continuations: Sequence[bytes]) -> Document:
    """A document and the further pages of the same article (TRS ``…_1.shtml``) as one document."""
    doc = read_document(data, media_type)
    for page_no, extra in enumerate(continuations, start=2):
        if media.sniff(extra) != media_type:
            doc.warnings.append(f"article page {page_no} is not {media_type}; ignored")
            continue
        more = place_on_article_page(read_document(extra, media_type), page_no)
        offset = len(doc.tables)
        for block in more.blocks:
            if hasattr(block, "grid"):
                block.index += offset
            doc.blocks.append(block)
    return doc


def _media_type(data: bytes, source: str) -> str:
    """What the bytes are, for choosing a reader. Where the sniffer can only say "not readable", a file that is
    evidently a PDF or Word file gone wrong goes to that reader, which says why (broken_pdf, broken_docx,
    encrypted): an empty file named ``.pdf``/``.docx`` (the name is the only evidence left), a password-
    protected Word file, a Word package cut off before its ZIP directory."""
    kind = media.sniff(data)
    if kind == media.EMPTY:
        suffix = Path(source.split("?", 1)[0]).suffix.lower()
        return {".pdf": media.PDF, ".docx": media.DOCX}.get(suffix, kind)
    if kind == media.DOC and ENCRYPTED_PACKAGE in data[:1024 * 1024]:
        # A password-protected .docx is an OLE container, not a ZIP: the DOCX reader says "encrypted".
        return media.DOCX
    if kind == media.ZIP and b"word/" in data:
        # A Word package cut off before its ZIP directory (or missing document.xml): a broken DOCX.
        return media.DOCX
    return kind


def extract_bytes(data: bytes, source: str, continuations: Sequence[bytes] = (), *,
                  envelope: dict | None = None) -> dict:
    """Extract one document given as bytes (plus the further pages of a multi-page article).

    ``envelope``: the document's ``_envelope`` when the caller has made it already (no second hash).
    Never raises for bad input: every problem becomes the status and issues of the result.
    """
    out = dict(envelope) if envelope is not None else _envelope(source, data, _media_type(data, source))
    media_type = out["media_type"]
    if media_type not in media.READABLE:
        what = "an empty file" if media_type == media.EMPTY else f"a {media_type} file"
        out.update(_empty("unsupported", "unsupported_type", f"{source}: {what}; only PDF, HTML and DOCX are read"))
        out["parser_version"] = PARSER_VERSION
        return out
    try:
        ocr.pictures_beside(source)  # a saved web page's pictures are read from its folder
        doc = read_pages(data, media_type, continuations)
        out.update(build_report(doc))
    except DocumentError as exc:
        details = {"limit": exc.limit} if getattr(exc, "limit", None) else {}
        out.update(_empty("failed", exc.code, f"{source}: {exc.message}", **details))
    except Exception as exc:  # noqa: BLE001 - bad input must never stop the run; the reason is recorded
        if _out_of_memory(exc):
            out.update(_empty("failed", PARSER_LIMIT, f"{source}: the document needs more memory than allowed "
                                                      f"({type(exc).__name__}: {exc})", limit="memory"))
        else:
            logger.exception("%s: extraction crashed", source)
            out.update(_empty("failed", "extractor_error", f"{source}: {type(exc).__name__}: {exc}"))
            out["issues"][0]["raw"] = traceback.format_exc(limit=3)[-800:]
    out["parser_version"] = PARSER_VERSION
    return out


# A small report page in Chinese: its title, agency, region, sections and a 表三 header row take the
# transform through the tables it loads on first use (the region gazetteer, OpenCC, the label patterns).
WARM_UP_PAGE = (
    "<html><head><meta charset='utf-8'><title>某某市某某区人民政府2023年政府信息公开工作年度报告</title></head><body>"
    "<h1>某某市某某区人民政府2023年政府信息公开工作年度报告</h1><p>一、总体情况</p>"
    "<p>三、收到和处理政府信息公开申请情况</p><table>"
    "<tr><td colspan='3' rowspan='3'>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
    "<td colspan='7'>申请人情况</td></tr><tr><td rowspan='2'>自然人</td><td colspan='5'>法人或其他组织</td>"
    "<td rowspan='2'>总计</td></tr><tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td>"
    "<td>其他</td></tr><tr><td colspan='3'>一、本年新收政府信息公开申请数量</td><td>1</td><td>0</td><td>0</td>"
    "<td>0</td><td>0</td><td>0</td><td>1</td></tr></table><p>四、政府信息公开行政复议、行政诉讼情况</p>"
    "<table><tr><td colspan='5'>行政复议</td><td colspan='10'>行政诉讼</td></tr><tr><td>结果维持</td>"
    "<td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td></tr></table>"
    "<p>某某市某某区人民政府</p><p>2024年1月20日</p></body></html>"
).encode()


def warm_up() -> None:
    """Extract a built-in PDF and web page once, in a process that forks isolated children (``xxgk extract``,
    each pool worker): every child then starts with the readers imported, PDFium's fonts, pdfplumber's table
    code and the transform's tables loaded, instead of loading them again for itself."""
    from extract.documents import docx, pdf, webpage  # noqa: F401

    extract_bytes(pdf.warm_up_document(), "warm-up.pdf")
    extract_bytes(WARM_UP_PAGE, "warm-up.html")


# ------------------------------------------------------------------------------------ reading files


class Unreadable(Exception):
    """A path that cannot be read as a document: the result is ``unreadable_file`` or a size limit."""

    def __init__(self, code: str, message: str, limit: str | None = None):
        super().__init__(message)
        self.code, self.message, self.limit = code, message, limit


def _kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_regular_file(path: str | Path, max_bytes: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``max_bytes``; ``Unreadable`` otherwise.

    Opened non-blocking (a FIFO must not wait for a writer) and checked on the open descriptor, so the
    answer is about the file actually read, not about whatever the name pointed to a moment before.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise Unreadable("unreadable_file", exc.strerror or str(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("unreadable_file", f"{_kind_of(info.st_mode)}, not a regular file; only files are read")
        if info.st_size > max_bytes:
            raise _too_big(info.st_size, max_bytes)
        os.set_blocking(fd, True)
        chunks, total = [], 0
        while chunk := os.read(fd, _CHUNK):
            total += len(chunk)
            if total > max_bytes:  # the file grew while being read
                raise _too_big(total, max_bytes)
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable("unreadable_file", exc.strerror or str(exc)) from None
    finally:
        os.close(fd)


def _too_big(size: int, max_bytes: int) -> Unreadable:
    return Unreadable(PARSER_LIMIT, f"the file is {size / 1024**2:,.1f} MB, over the {max_bytes / 1024**2:,.0f} MB "
                                    "size limit (--max-file-mb); not read", limit="file_size")


def _unreadable_result(source: str, exc: Unreadable) -> dict:
    details = {"limit": exc.limit} if exc.limit else {}
    return _failed({"source": source, "sha256": None, "media_type": None}, exc.code, f"{source}: {exc.message}",
                   **details)


def extract_file(path: str | Path, *, max_file_mb: float = DEFAULT_MAX_FILE_MB) -> dict:
    """Extract one local file in this process (the path is kept as ``source``)."""
    try:
        data = read_regular_file(path, _max_bytes(max_file_mb))
    except Unreadable as exc:
        return _unreadable_result(str(path), exc)
    return extract_bytes(data, str(path))


def _max_bytes(max_file_mb: float) -> int:
    return int(max_file_mb * 1024 * 1024)


# ------------------------------------------------------------------------------------ the isolated child

# A child serves documents until one ends badly, until it has served this many, or until it holds this much
# more memory than when it started (fragmentation, a loaded OCR model): then the next document gets a new one.
MAX_DOCUMENTS_PER_CHILD = 500
MAX_CHILD_GROWTH_MB = 1536
# The child's cyclic garbage collector runs over the young generation after this many new objects (Python's
# default is 700): a report makes tens of thousands of character dicts that reference counting frees within
# the page, and a collection every 700 of them kept walking the live ones (≈ 2 ms per report).
GC_YOUNG_THRESHOLD = 10_000


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux); exit now if it already has."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's timeout still stops the child
        pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _statm(field: int) -> int:
    """Bytes of /proc/self/statm's ``field`` (0: mapped address space, 1: resident); 0 where unavailable."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[field])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize()


def _limit_memory(memory_mb: int, hard: int) -> None:
    """This document's address-space budget, on top of what the child already maps (a Prefect or Dask worker
    maps gigabytes it never touches, a served child keeps what earlier documents left), so the limit only
    stops this document."""
    try:
        resource.setrlimit(resource.RLIMIT_AS, (_statm(0) + memory_mb * 1024 * 1024, hard))
    except (ValueError, OSError):
        pass


def _tune_collector() -> None:
    """What the child inherits from the warm parent (modules, label tables, PDFium's loaded fonts) lives as
    long as the child: it is frozen out of the collections, which walked all of it at every full collection
    (≈ 2 ms per report) and wrote to pages shared with the parent. The young generation is collected less
    often (``GC_YOUNG_THRESHOLD``). Cycles are still collected; results do not depend on when."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def _serve(conn, parent_pid: int) -> None:
    """The child: documents in, results out, until told to stop, or until it should not serve another."""
    die_with_parent(parent_pid)
    _tune_collector()
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    started_resident = _statm(1)
    for served in range(1, MAX_DOCUMENTS_PER_CHILD + 1):
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        _limit_memory(job.memory_mb, hard)
        try:
            result = job.run(lambda envelope: conn.send(("envelope", envelope)))
        except MemoryError:
            conn.send(("memory", None))
            return
        except Exception as exc:  # noqa: BLE001 - outside extract_bytes (reading, sending): said, not a silent death
            conn.send(("crashed", f"{type(exc).__name__}: {exc}"))
            return
        grown = _statm(1) - started_resident > MAX_CHILD_GROWTH_MB * 1024 * 1024
        last = grown or served == MAX_DOCUMENTS_PER_CHILD or result.get("status") == "failed"
        conn.send(("result", result, last))
        if last:
            return


@dataclass(frozen=True)
class _Job:
    """One document for the child: a local file (``path``) or bytes already in memory (``data``)."""

    source: str
    timeout_s: float
    memory_mb: int
    path: str | None = None
    data: bytes | None = None
    max_bytes: int = 0
    continuations: tuple = ()
    pictures: tuple = ()  # (absolute URL, archived file) of pictures the crawler saved beside the report
    environment: tuple = ()  # the caller's XXGK_* settings (OCR on/off, its limits) when the job was sent

    def envelope(self) -> dict:
        if self.data is None:
            return {"source": self.source, "sha256": None, "media_type": None}
        return _envelope(self.source, self.data, _media_type(self.data, self.source))

    def run(self, send_envelope: Callable[[dict], None]) -> dict:
        _take_environment(dict(self.environment))
        ocr.archived_pictures({url: Path(file) for url, file in self.pictures})
        if self.data is not None:
            return extract_bytes(self.data, self.source, self.continuations)
        try:
            data = read_regular_file(self.path, self.max_bytes)
            pages = [read_regular_file(p, self.max_bytes) for p in self.continuations]
        except Unreadable as exc:
            return _unreadable_result(self.source, exc)
        envelope = _envelope(self.source, data, _media_type(data, self.source))
        send_envelope(envelope)
        return extract_bytes(data, self.source, pages, envelope=envelope)


def _settings() -> tuple:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("XXGK_")))


def _take_environment(settings: dict[str, str]) -> None:
    for key in [k for k in os.environ if k.startswith("XXGK_") and k not in settings]:
        del os.environ[key]
    os.environ.update(settings)


class IsolatedExtractor:
    """Extraction in a forked child with a wall-clock and address-space limit per document; a result never
    fails to come.

    The child is kept for the next document: forking one per document cost ≈ 25 ms of CPU per report, a
    sixth of a report's extraction (benchmarks/RESULTS.md). Isolation is unchanged where it matters: a
    document that runs out of time or memory, crashes the child or fails is its own result alone, and the
    next document gets a fresh child forked from this (warm) process, as does every document after
    ``MAX_DOCUMENTS_PER_CHILD`` or once the child holds ``MAX_CHILD_GROWTH_MB`` more than it started with.
    Use it as a context manager, or ``close()`` it; the child also dies with this process.
    """

    def __init__(self) -> None:
        self._proc: Any = None
        self._conn: Any = None
        self._exitcode: int | None = None

    def __enter__(self) -> IsolatedExtractor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def extract_path(self, path: str | Path, source: str | None = None, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                     memory_mb: int = DEFAULT_MEMORY_MB, max_file_mb: float = DEFAULT_MAX_FILE_MB,
                     continuations: Sequence[str | Path] = (), pictures: dict[str, Path] | None = None) -> dict:
        """Extract a local file (and the files of its further article pages), read and parsed in the child.

        ``source`` is what the result calls the document (default: the path); ``pictures`` are the archived
        pictures of a web page (``ocr.archived_pictures``).
        """
        source = source if source is not None else str(path)
        return self._run(_Job(source, timeout_s, memory_mb, path=str(path), max_bytes=_max_bytes(max_file_mb),
                              continuations=tuple(str(p) for p in continuations),
                              pictures=tuple((url, str(file)) for url, file in (pictures or {}).items()),
                              environment=_settings()))

    def extract_bytes(self, data: bytes, source: str, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                      memory_mb: int = DEFAULT_MEMORY_MB, continuations: Sequence[bytes] = ()) -> dict:
        """``extract_bytes`` in the child."""
        return self._run(_Job(source, timeout_s, memory_mb, data=data, continuations=tuple(continuations),
                              environment=_settings()))

    def close(self) -> None:
        """Stop the child (it finishes nothing: no document is in it between calls)."""
        if self._proc is None:
            return
        try:
            self._conn.send(None)
        except OSError:
            pass
        self._discard(wait_s=2)

    def _run(self, job: _Job) -> dict:
        if job.timeout_s <= 0:
            raise ValueError("timeout_s must be more than 0")
        envelope = job.envelope()
        self._send(job)
        outcome, payload, last = "timeout", None, True
        deadline = time.monotonic() + job.timeout_s
        try:
            while self._conn.poll(max(0.0, deadline - time.monotonic())):
                message = self._conn.recv()
                if message[0] == "envelope":
                    envelope = message[1]
                    continue
                outcome, payload = message[0], message[1]
                last = message[2] if outcome == "result" else True
                break
        except (EOFError, OSError):
            outcome = "died"
        if last:
            self._discard(wait_s=0 if outcome != "result" else 2)
        if outcome == "result":
            return payload
        if outcome == "timeout":
            return _failed(envelope, PARSER_LIMIT, f"{job.source}: parsing took longer than {job.timeout_s:g} s "
                                                   "and was stopped", limit="time")
        if outcome == "crashed":
            return _failed(envelope, "extractor_error", f"{job.source}: the isolated extraction failed: {payload}")
        return _failed(envelope, PARSER_LIMIT, f"{job.source}: the parser ran out of its {job.memory_mb} MB memory "
                                               f"limit (process exit {self._exitcode})", limit="memory")

    def _send(self, job: _Job) -> None:
        """Hand the job to the child, forking one if there is none (or the kept one has gone away)."""
        for attempt in (1, 2):
            if self._proc is not None and not self._proc.is_alive():  # killed while idle (the OOM killer)
                self._discard(wait_s=0)
            if self._proc is None:
                self._start()
            try:
                self._conn.send(job)
                return
            except OSError:
                if attempt == 2:
                    raise
                self._discard(wait_s=0)

    def _start(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe(duplex=True)
        self._proc = ctx.Process(target=_serve, args=(child, os.getpid()), daemon=True)
        self._proc.start()
        child.close()
        self._exitcode = None

    def _discard(self, wait_s: float) -> None:
        """Let the child exit (``wait_s``) or kill it, and forget it: the next document gets a new one."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.join(wait_s)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
        self._exitcode = proc.exitcode
        self._conn.close()


def extract_isolated(data: bytes, source: str, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                     memory_mb: int = DEFAULT_MEMORY_MB, continuations: Sequence[bytes] = ()) -> dict:
    """``extract_bytes`` in a child of its own with a wall-clock and address-space limit."""
    with IsolatedExtractor() as extractor:
        return extractor.extract_bytes(data, source, timeout_s=timeout_s, memory_mb=memory_mb,
                                       continuations=continuations)


def extract_path(path: str | Path, source: str | None = None, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 memory_mb: int = DEFAULT_MEMORY_MB, max_file_mb: float = DEFAULT_MAX_FILE_MB,
                 continuations: Sequence[str | Path] = ()) -> dict:
    """``IsolatedExtractor.extract_path`` in a child of its own (one file; for many, keep an extractor)."""
    with IsolatedExtractor() as extractor:
        return extractor.extract_path(path, source, timeout_s=timeout_s, memory_mb=memory_mb,
                                      max_file_mb=max_file_mb, continuations=continuations)


def cpu_count() -> int:
    return max(1, len(os.sched_getaffinity(0)))
