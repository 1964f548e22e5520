"""zcf — carbon and ESG disclosure toolkit.

Pipeline: files → validated tables (``zcf.ingest``) → lines → results → checks → reports.
"""

__version__ = "0.1.0"
