"""Reading an item file, or a directory of them, whatever its format."""

from __future__ import annotations

from pathlib import Path

from certwright.itemformats.csvfile import read_csv
from certwright.itemformats.filesystem import not_regular
from certwright.itemformats.i18n import gettext as _
from certwright.itemformats.jsonfile import read_json
from certwright.itemformats.model import BankRules, ItemBundle, ItemFileError
from certwright.itemformats.qti import read_qti


def read_path(path: Path, *, rules: BankRules) -> list[ItemBundle]:
    """Bundles from a .json, .csv or .zip (QTI) file, or every such file in a
    directory (sorted by name), checked against ``rules``. All of it is checked
    before anything is returned."""
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.suffix.lower() in (".json", ".csv", ".zip")
        )
        if not files:
            raise ItemFileError([f"{path}: " + _("no .json, .csv or .zip files")])
    elif path.is_file():
        files = [path]
    else:
        raise ItemFileError([f"{path}: " + _("no such file or directory")])
    bundles: list[ItemBundle] = []
    problems: list[str] = []
    for file in files:
        try:
            # A directory's files are listed, not named: one that is a link or not
            # a regular file is refused rather than followed.
            why = not_regular(file) if file != path else None
            if why is not None:
                problems.append(f"{file.name}: {why}")
                continue
            bundles += _read_file(file, rules)
        except ItemFileError as exc:
            problems += exc.problems
        except UnicodeDecodeError:
            problems.append(f"{file.name}: " + _("not UTF-8 text"))
        except OSError as exc:
            problems.append(f"{file.name}: {exc.strerror or exc}")
    if problems:
        raise ItemFileError(problems)
    return bundles


def _read_file(file: Path, rules: BankRules) -> list[ItemBundle]:
    """One file's bundles, read in the format its suffix names."""
    suffix = file.suffix.lower()
    if suffix == ".json":
        return [
            read_json(
                file.read_bytes(), rules=rules, source=file.name, directory=file.parent
            )
        ]
    if suffix == ".csv":
        return read_csv(
            file.read_text(encoding="utf-8"),
            rules=rules,
            source=file.name,
            directory=file.parent,
        )
    if suffix == ".zip":
        return read_qti(file.read_bytes(), rules=rules, source=file.name)
    raise ItemFileError(
        [f"{file.name}: " + _("unknown format (use .json, .csv or .zip)")]
    )
