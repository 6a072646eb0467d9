"""One document in, one extraction result out (the JSON of ``spec/extract-output.md``).

``extract_bytes`` runs in the calling process; ``extract_isolated`` forks a child with a time and memory
limit, so a hostile file (a decompression bomb, a PDF that sends pdfminer into a loop) fails alone with a
clear issue instead of hanging or killing the run.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import resource
import traceback
from collections.abc import Sequence
from pathlib import Path

from extract import media
from extract.documents.model import Document, DocumentError
from transform.report import PARSER_VERSION, build_report

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_MB = 3072


def read_document(data: bytes, media_type: str) -> Document:
    """Dispatch to the reader for ``media_type``."""
    if media_type == media.PDF:
        from extract.documents.pdf import read_pdf

        return read_pdf(data)
    if media_type == media.DOCX:
        from extract.documents.docx import read_docx

        return read_docx(data)
    if media_type == media.HTML:
        from extract.documents.html import read_html

        return read_html(data)
    raise ValueError(f"no reader for {media_type}")


def _envelope(source: str, data: bytes, media_type: str) -> dict:
    return {"source": source, "sha256": hashlib.sha256(data).hexdigest(), "media_type": media_type}


def _empty(status: str, code: str, message: str, severity: str = "error") -> dict:
    return {
        "status": status,
        "report": {"agency": None, "region": None, "year": None, "format_version": None, "title": None},
        "tables": {}, "cells_source": [], "checks": [],
        "issues": [{"severity": severity, "code": code, "message": message}],
    }


def read_pages(data: bytes, media_type: str, continuations: Sequence[bytes]) -> Document:
    """A document and the further pages of the same article (TRS ``…_1.shtml``) as one document."""
    doc = read_document(data, media_type)
    for page_no, extra in enumerate(continuations, start=2):
        if media.sniff(extra) != media_type:
            doc.warnings.append(f"article page {page_no} is not {media_type}; ignored")
            continue
        more = read_document(extra, media_type)
        offset = len(doc.tables)
        for block in more.blocks:
            if hasattr(block, "grid"):
                block.index += offset
            doc.blocks.append(block)
    return doc


def extract_bytes(data: bytes, source: str, continuations: Sequence[bytes] = ()) -> dict:
    """Extract one document given as bytes (plus the further pages of a multi-page article).

    Never raises for bad input: every problem becomes the status and issues of the result.
    """
    media_type = media.sniff(data)
    out = _envelope(source, data, media_type)
    if media_type not in media.READABLE:
        what = "an empty file" if media_type == media.EMPTY else f"a {media_type} file"
        out.update(_empty("unsupported", "unsupported_type", f"{source}: {what}; only PDF, HTML and DOCX are read"))
        out["parser_version"] = PARSER_VERSION
        return out
    try:
        doc = read_pages(data, media_type, continuations)
        out.update(build_report(doc))
    except DocumentError as exc:
        out.update(_empty("failed", exc.code, f"{source}: {exc.message}"))
    except Exception as exc:  # noqa: BLE001 - bad input must never stop the run; the reason is recorded
        logger.exception("%s: extraction crashed", source)
        out.update(_empty("failed", "extractor_error", f"{source}: {type(exc).__name__}: {exc}"))
        out["issues"][0]["raw"] = traceback.format_exc(limit=3)[-800:]
    out["parser_version"] = PARSER_VERSION
    return out


def extract_file(path: str | Path) -> dict:
    """Extract one local file (the path is kept as ``source``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        out = {"source": str(path), "sha256": None, "media_type": None}
        out.update(_empty("failed", "unreadable_file", f"{path}: {exc.strerror or exc}"))
        return out
    return extract_bytes(data, str(path))


def _child(conn, data: bytes, source: str, memory_mb: int, continuations: Sequence[bytes]) -> None:
    try:
        # The budget is on top of what the forked child already maps (a Prefect or Dask worker maps
        # gigabytes of address space it never touches), so the limit only stops this document.
        limit = _mapped_bytes() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass
    try:
        conn.send(extract_bytes(data, source, continuations))
    except MemoryError:
        conn.send(None)
    finally:
        conn.close()


def _mapped_bytes() -> int:
    """Address space this process maps now (Linux /proc; 0 where unavailable)."""
    try:
        pages = int(open("/proc/self/statm").read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize()


def extract_isolated(data: bytes, source: str, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                     memory_mb: int = DEFAULT_MEMORY_MB, continuations: Sequence[bytes] = ()) -> dict:
    """``extract_bytes`` in a forked child with a wall-clock and address-space limit."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, data, source, memory_mb, tuple(continuations)), daemon=True)
    proc.start()
    child.close()
    result = None
    timed_out = False
    try:
        if parent.poll(timeout_s):
            result = parent.recv()
        else:
            timed_out = True
    except (EOFError, OSError):
        result = None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    if result is not None:
        return result
    out = _envelope(source, data, media.sniff(data))
    if timed_out:
        reason = f"parsing took longer than {timeout_s:.0f} s and was stopped"
    else:
        reason = f"the parser process died (exit {proc.exitcode}; memory limit {memory_mb} MB)"
    out.update(_empty("failed", "parser_limit", f"{source}: {reason}"))
    out["parser_version"] = PARSER_VERSION
    return out


def cpu_count() -> int:
    return max(1, len(os.sched_getaffinity(0)))
