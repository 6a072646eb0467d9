"""Test-wide settings: pdfminer's per-glyph font warnings are noise in test output."""

import logging

logging.getLogger("pdfminer").setLevel(logging.ERROR)
