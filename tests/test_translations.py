"""Complete English: every text of the code and the templates (pages, table headers,
charts, e-mails, exports) is in the English catalogue, translated. The catalogue is
extracted again (``makemessages``, GNU gettext) from a copy of the sources, so a new
string missing from ``locale/en`` fails here, named."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("config", "training", "referents", "accounts", "templates", "locale", "manage.py")


def _joined(text: str) -> str:
    """The string of a ``msgid``/``msgstr`` and its continuation lines."""
    return "".join(re.findall(r'"(.*)"', text))


def untranslated(po: str) -> list[str]:
    """The msgids of ``po`` whose translation is empty or fuzzy (obsolete ones aside)."""
    missing = []
    for block in po.split("\n\n")[1:]:
        text = "\n".join(line for line in block.splitlines() if not line.startswith("#~"))
        head, _sep, rest = text.partition("msgstr")
        if "msgid " not in head:
            continue
        msgid = _joined(head.split("msgid ", 1)[1].split("msgid_plural")[0])
        translations = re.split(r"^msgstr(?:\[\d\])? ", "msgstr" + rest, flags=re.M)[1:]
        empty = not translations or any(not _joined(t) for t in translations)
        if "#, fuzzy" in text or empty:
            missing.append(msgid)
    return missing


def test_every_text_is_translated_into_english(tmp_path):
    copy = tmp_path / "dune"
    copy.mkdir()
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    po = (copy / "locale/en/LC_MESSAGES/django.po").read_text()
    missing = untranslated(po)
    assert missing == [], f"{len(missing)} texts without English: {missing[:40]}"


def test_the_check_finds_a_missing_translation():
    po = (
        'msgid ""\nmsgstr ""\n\n'
        'msgid "Bonjour"\nmsgstr "Hello"\n\n'
        'msgid "Au revoir"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Merci"\nmsgstr "Thanks"\n\n'
        'msgid "%(n)s session"\nmsgid_plural "%(n)s sessions"\n'
        'msgstr[0] "%(n)s session"\nmsgstr[1] ""\n'
    )
    assert untranslated(po) == ["Au revoir", "Merci", "%(n)s session"]
