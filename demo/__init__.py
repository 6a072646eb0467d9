"""The embedded offline world: realistic reports with known values, published by mock district sites.

``demo.values`` generates internally consistent report values (the truth), ``demo.render`` publishes
them as HTML pages, PDFs and Word files with real-world quirks, and ``demo.sites`` serves them from mock
CMS sites on 127.0.0.1 for the crawler, the tests and ``xxgk demo``.
"""
