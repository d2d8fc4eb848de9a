"""The shared reader of every import: bytes in, numbered rows of named columns out.

- Encoding: a UTF-8 BOM means UTF-8; otherwise strict UTF-8 is tried, then CP1252 (what
  the rectorates' Windows tools write). A file that is neither is refused as a whole.
- Delimiter: sniffed from the header line among ``;`` ``,`` and ``|`` (the one that
  splits it into the most known columns).
- Empty lines are skipped (line numbers stay those of the file, as an editor shows
  them); trailing empty columns (``a|b|c|``) are dropped.
- Headers match the expected columns whatever their case, accents, spaces or
  punctuation (« Prénom », « PRENOM », « prenom »), through a list of aliases. A missing
  required column refuses the file as a whole, naming it.
- A file kind whose export may come without its column line (GAIA's, ``headerless``):
  when the first line does not name the columns (fewer than half of its cells are known
  column names), it is a line of data and every line is read in the documented order of
  the columns; the delimiter is then the one that splits that line into the number of
  columns closest to the documented one.
- Each line shorter than the columns read (``Table.width``) is noted in ``Table.short``;
  ``Table.incomplete`` says, in French, which columns it lacks (the importer decides
  whether that refuses the line). Trailing empty columns count: ``a|b|`` has three.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from training.validators import forbidden_character

DELIMITERS = (";", ",", "|")


class FileRefused(Exception):
    """The file as a whole cannot be read (encoding, columns): nothing is written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalize_header(text: str) -> str:
    """« Prénom » → "prenom", "Bassin ou circonscription" → "bassinoucirconscription"."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...]
    required: bool = True

    def matches(self, header: str) -> bool:
        key = normalize_header(header)
        return key == normalize_header(self.name) or key in {
            normalize_header(a) for a in self.aliases
        }


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise FileRefused(
                _("Le fichier annonce l'UTF-8 mais n'en est pas (octet %(pos)s).")
                % {"pos": exc.start}
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRefused(
            _(
                "Encodage non reconnu : le fichier doit être en UTF-8 (avec ou sans BOM) "
                "ou en Windows-1252 (CP1252)."
            )
        ) from None
    # Control characters (other than tab) mean a binary file, not text in CP1252.
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
        raise FileRefused(_("Ce fichier n'est pas un fichier texte (CSV)."))
    return text, "cp1252"


@dataclass
class Table:
    encoding: str
    delimiter: str
    columns: dict[str, int]  # column name → index in the row
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line, values)
    # False: the file had no column line, its columns are read in the documented order.
    header: bool = True
    # Cells a complete line has (up to the last column read), and the lines with fewer
    # (line → cells found).
    width: int = 0
    short: dict[int, int] = field(default_factory=dict)
    # Lines refused as they were read (a control character, a value too long): line →
    # the French reason. Importers never see them (``Importer.plan``).
    refused: dict[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def incomplete(self, line: int) -> str | None:
        """The French reason why ``line`` lacks columns, or None when it has them all."""
        found = self.short.get(line)
        if found is None:
            return None
        missing = [name for name, index in self.columns.items() if index >= found]
        count = ngettext(
            "Ligne incomplète : %(found)s colonne au lieu de %(expected)s.",
            "Ligne incomplète : %(found)s colonnes au lieu de %(expected)s.",
            found,
        ) % {"found": found, "expected": self.width}
        return f"{count} " + _("Colonnes manquantes : %(missing)s.") % {
            "missing": ", ".join(missing)
        }


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter, quotechar='"'))


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(io.StringIO(text, newline=None), start=1):
        line = line.rstrip("\r\n")
        if line.strip():
            yield number, line


def _header_mapping(line: str, columns: list[Column], delimiters) -> tuple[str, dict, list]:
    """The delimiter that splits ``line`` into the most known column names, the mapping
    (column name → index) it gives, and the cells."""
    best = None
    for delimiter in delimiters:
        headers = _trim(_split(line, delimiter))
        mapping = {}
        for index, header in enumerate(headers):
            for column in columns:
                if column.name not in mapping and column.matches(header):
                    mapping[column.name] = index
                    break
        if best is None or len(mapping) > len(best[1]):
            best = (delimiter, mapping, headers)
    return best


def _names_columns(mapping: dict, headers: list[str]) -> bool:
    """Whether a first line is a column line: at least half of its cells name a column
    (a line of data names none, bar a coincidence; a column line with a misspelt column
    is still one, refused for that column)."""
    cells = [h for h in headers if h.strip()]
    return bool(mapping) and 2 * len(mapping) >= len(cells)


def _positional_delimiter(line: str, expected: int, delimiters) -> str:
    """The delimiter that splits a line of data into the number of columns closest to
    ``expected`` (the first of ``delimiters`` on a tie)."""
    return min(delimiters, key=lambda d: abs(len(_trim(_split(line, d))) - expected))


# A column line longer than this is not one (a file of another kind, or an attack); a
# value longer than MAX_VALUE refuses its line.
MAX_HEADER = 20_000
MAX_VALUE = 10_000


def read_table(
    data: bytes, columns: list[Column], *, delimiters=DELIMITERS, headerless: bool = False
) -> Table:
    """Read ``data`` with the header naming ``columns``; raise ``FileRefused``.

    ``headerless``: the file may also come without a column line, its lines then carrying
    ``columns`` in their order."""
    if not data.strip():
        raise FileRefused(_("Le fichier est vide."))
    text, encoding = decode(data)
    numbered = list(_lines(text))
    if not numbered:
        raise FileRefused(_("Le fichier est vide."))
    _first_no, first_line = numbered[0]
    if len(first_line) > MAX_HEADER:
        raise FileRefused(
            _(
                "La première ligne fait %(n)s caractères : ce n'est pas une ligne de colonnes "
                "ni une ligne d'export attendue."
            )
            % {"n": len(first_line)}
        )

    delimiter, mapping, headers = _header_mapping(first_line, columns, delimiters)
    header = not headerless or _names_columns(mapping, headers)
    if header:
        missing = [c.name for c in columns if c.required and c.name not in mapping]
        if missing:
            expected = ", ".join(c.name for c in columns)
            raise FileRefused(
                _(
                    "Colonnes manquantes : %(missing)s. La première ligne doit nommer les "
                    "colonnes (%(expected)s), séparées par « ; », « , » ou « | »."
                )
                % {"missing": ", ".join(missing), "expected": expected}
            )
        numbered = numbered[1:]
    else:
        delimiter = _positional_delimiter(first_line, len(columns), delimiters)
        mapping = {column.name: index for index, column in enumerate(columns)}

    table = Table(
        encoding=encoding,
        delimiter=delimiter,
        columns=mapping,
        header=header,
        width=max(mapping.values(), default=-1) + 1,
    )
    # One reader over every line (quoted fields with the delimiter inside are kept).
    reader = csv.reader((line for _number, line in numbered), delimiter=delimiter, quotechar='"')
    number = numbered[0][0] if numbered else 0
    try:
        for (number, _line), cells in zip(numbered, reader, strict=True):
            if len(cells) < table.width:
                table.short[number] = len(cells)
            cells = _trim(cells)
            values = {
                name: (cells[index].strip() if index < len(cells) else "")
                for name, index in mapping.items()
            }
            reason = _cell_refusal(values)
            if reason:
                table.refused[number] = reason
                continue
            table.rows.append((number, values))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise FileRefused(
                _("Ligne %(line)s : une valeur dépasse %(n)s caractères ; rien n'est importé.")
                % {"line": number, "n": csv.field_size_limit()}
            ) from None
        raise FileRefused(
            _("Un guillemet n'est pas refermé : une valeur s'étend sur plusieurs lignes.")
        ) from None
    except ValueError:
        raise FileRefused(
            _("Un guillemet n'est pas refermé : une valeur s'étend sur plusieurs lignes.")
        ) from None
    return table


def _cell_refusal(values: dict[str, str]) -> str | None:
    for name, value in values.items():
        if len(value) > MAX_VALUE:
            return _("La valeur de « %(column)s » dépasse %(n)s caractères.") % {
                "column": name,
                "n": MAX_VALUE,
            }
        reason = forbidden_character(value)
        if reason:
            return f"{name} : {reason}"
    return None
