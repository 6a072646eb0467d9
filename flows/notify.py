"""Tell someone when a night failed or ran late: a JSON POST to ``XXGK_NOTIFY_WEBHOOK_URL``.

The payload is small and flat so any receiver can use it (a chat bot's incoming webhook, an alerting
gateway): ``{"event": "failed" | "late", "run_id", "reason", "seconds", "problems": [first 20]}``.
A notification that cannot be delivered is logged, never raised: it must not fail the night a second
time. Teams on a Prefect server can use a Prefect automation on the flow-run states instead (README).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

TIMEOUT_S = 10.0


def notify(url: str | None, event: str, run_id: str, reason: str, seconds: float, problems: list[str]) -> bool:
    """POST one event; True when the receiver accepted it (2xx)."""
    if not url:
        return False
    import httpx

    payload = {"event": event, "run_id": run_id, "reason": reason, "seconds": round(seconds, 1),
               "problems": problems[:20]}
    try:
        response = httpx.post(url, json=payload, timeout=TIMEOUT_S)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        logger.warning("notification %s for %s not delivered to %s: %s", event, run_id, url, exc)
        return False
    return True


def late_reason(seconds: float, late_after_s: float | None) -> str | None:
    """Why a finished night counts as late, or None."""
    if late_after_s is None or seconds <= late_after_s:
        return None
    return (f"the night took {seconds / 60:.1f} min, more than the {late_after_s / 60:.1f} min allowed "
            "(XXGK_LATE_AFTER_S)")
