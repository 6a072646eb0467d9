"""Stage 1 — crawl: discover annual-report links on district sites and archive them politely.

``registry`` loads ``data/registry/sites.yaml``; ``families/`` holds one adapter per CMS family
(list pages, pagination, list APIs); ``discovery`` walks columns and resolves articles into report
links; ``crawl`` fetches them through ``extract.crawl.fetch`` into ``extract.crawl.archive`` (``data/raw/``),
one manifest row per discovered link. Nothing here parses report contents.
"""
