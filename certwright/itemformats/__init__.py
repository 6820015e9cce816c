"""Item files: JSON ("certwright-items/1"), CSV and QTI 3.0 packages.

docs/item-bank.md documents the three formats. A reader turns a file into
``ItemBundle``s (one test each) and checks every field against what the bank accepts
(``BankRules``: the program's tests and content areas, the lengths its fields hold),
collecting every problem with the file, item and field named (``ItemFileError``); a
writer turns bundles back into a file. Nothing here imports Django or reads the
clock: storing bundles in the bank, and reading files against the running program,
is the item bank's (``certwright.itembank.item_files``).
"""

from certwright.itemformats.csvfile import CSV_COLUMNS, read_csv, write_csv
from certwright.itemformats.jsonfile import MAX_JSON_DEPTH, read_json, write_json
from certwright.itemformats.model import (
    OPTION_LETTERS,
    BankRules,
    ExchangeItem,
    ItemBundle,
    ItemFileError,
    ItemWriteError,
)
from certwright.itemformats.paths import read_path
from certwright.itemformats.qti import read_qti, write_qti

__all__ = [
    "CSV_COLUMNS",
    "MAX_JSON_DEPTH",
    "OPTION_LETTERS",
    "BankRules",
    "ExchangeItem",
    "ItemBundle",
    "ItemFileError",
    "ItemWriteError",
    "read_csv",
    "read_json",
    "read_path",
    "read_qti",
    "write_csv",
    "write_json",
    "write_qti",
]
