"""The `spreadsheet` connector: `.xlsx` workbooks and `.csv` files as treasurers keep them.

A small junta's catalogue often lives in a workbook on the treasurer's computer: a merged
title row, a subtitle with a date, a blank row, then the header; fees as text
("RD$ 1.234.567,50"), dates as Excel serials, "Sí"/"No" flags, two blank rows and a
"Preparado por" line at the bottom. A binding names the sheet and where its header is;
the declarative mapping (`connectors.mapping`) does the rest.

Reading is read-only and whole-file: each call stats the file and, when its
(mtime_ns, size) changed since the last read, reads every sheet once in a worker thread
and keeps the parsed cells in memory. A treasurer who saves a new version is seen on the
next call, with no restart. Errors follow the tree in `connectors.errors`:

- the file is missing, unreadable or changing while read → `TransientError` (it may be
  mid-copy from a USB stick or a shared folder); so is a file that fails to parse less
  than 10 s after it last changed;
- a settled file that is not a workbook / not text in the declared encoding, a sheet or
  a header row that is not there → `UpstreamError`;
- a mapping names a column the sheet lacks, or a value cannot be converted →
  `MappingError` naming the field, the column, the sheet and the row.

The package, one concept a module: `config` (the source and bindings), `files` (reading
and parsing the file), `tables` (a sheet's cells as a header and rows), `records` (rows
mapped onto records), `budget` (a budget sheet: its cut-off cell, its total row, the rows
it skips), `errors` (file and parser exceptions as the error tree), `hooks` (hooks for
treasurers' workbooks), `connector` (the kind).
"""

from connectors.spreadsheet.config import SpreadsheetBindingConfig, SpreadsheetSourceConfig
from connectors.spreadsheet.connector import SpreadsheetConnector
from connectors.spreadsheet.hooks import channels_from_online_flag
from connectors.spreadsheet.tables import Table, normalise_header

__all__ = [
    "SpreadsheetBindingConfig",
    "SpreadsheetConnector",
    "SpreadsheetSourceConfig",
    "Table",
    "channels_from_online_flag",
    "normalise_header",
]
