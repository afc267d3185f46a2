"""Generate protocol/ffd/tag_table.py from the official ФФД text.

Input: the text export of приложение № 2 к приказу ФНС России ЕД-7-20/662@
(«Форматы фискальных документов, обязательные к использованию»), file
ffd-formats-ed-7-20-662-appendix2.txt, whose tables are pandoc grid tables
(table 5) and simple tables (the rest). The script reads:

* table 5 (common tag values) and table 14 (FFD 1.05 tags): tag, name, type,
  format, fixed length flag and length;
* table 11: form codes and names;
* section II, FFD 1.05: the tags of each document form (tables 15, 16, 18-20,
  27, 30-32) and of the STLVs 1059, 1223, 1224, 1174, 1068 and 1084 (tables
  21-23, 29, 33, 10).

It merges protocol/ffd/tag_extras.py (English names, added tags, corrections)
and writes the module. Any row it cannot read raises, so a changed text fails
loudly instead of dropping tags.

Usage: .venv/bin/python scripts/generate_ffd_tags.py [--spec PATH] [--output PATH]
The spec path defaults to $KKTEMU_FFD_SPEC, then to
../shared/reference/specs/<file> beside the checkout or, for a linked git
worktree, beside its main working tree.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import pathlib
import re
import sys
from collections.abc import Iterable

from kktemu.protocol.ffd import tag_extras
from kktemu.protocol.ffd.schema import TagInfo, TagUse, TlvType

REPO = pathlib.Path(__file__).resolve().parent.parent
SPEC_NAME = "ffd-formats-ed-7-20-662-appendix2.txt"
OUTPUT = REPO / "protocol" / "ffd" / "tag_table.py"
FFD_1_05 = 2  # value of tag 1209 for FFD 1.05

# Form code -> the FFD 1.05 tables listing its tags, with a word of each
# table's caption that guards against a renumbered text.
FORM_TABLES_105: dict[int, tuple[tuple[int, str], ...]] = {
    1: ((15, "регистрации"),),
    11: ((15, "регистрации"), (16, "изменении параметров")),
    2: ((18, "открытии смены"),),
    21: ((19, "текущем состоянии"),),
    3: ((20, "кассовом чеке"),),
    4: ((20, "кассовом чеке"),),
    31: ((27, "коррекции"),),
    41: ((27, "коррекции"),),
    5: ((30, "закрытии смены"),),
    6: ((31, "закрытии фискального"),),
    7: ((32, "подтверждении оператора"),),
}
STLV_TABLES_105: dict[int, tuple[int, str]] = {
    1059: (21, "тег 1059"),
    1223: (22, "тег 1223"),
    1224: (23, "тег 1224"),
    1174: (29, "тег 1174"),
    1068: (33, "тег 1068"),
    1084: (10, "тег 1084"),
}

_HEADING = re.compile(r"^Таблица (\d+)\s*$")
_GRID_BORDER = re.compile(r"^\+[-=+]+$")
_SIMPLE_RULE = re.compile(r"^\s+-+(?: +-+)*\s*$")
_CELL = re.compile(r"\S+(?: \S+)*")
_OBLIGATION = re.compile(r"^(?:(?P<both>[123])|П-(?P<print>[123]), Э-(?P<electronic>[123]))$")
_FIXED_SIZE = {TlvType.BYTE: 1, TlvType.UINT16: 2, TlvType.UINT32: 4, TlvType.UNIXTIME: 4}
_FORMATS = {
    ("целое", "byte"): TlvType.BYTE,
    ("целое", "uint16"): TlvType.UINT16,
    ("целое", "uint32"): TlvType.UINT32,
    ("целое", "vln"): TlvType.VLN,
    ("целое", "unixtime"): TlvType.UNIXTIME,
    ("пл. точка", "fvln"): TlvType.FVLN,
    ("текст", "строка"): TlvType.STRING,
    ("массив", "byte[]"): TlvType.BYTES,
    ("структура", "stlv"): TlvType.STLV,
}


class SpecError(Exception):
    """The ФФД text does not have the shape this generator reads."""


def normalise(text: str) -> str:
    """Drop soft hyphens and collapse runs of whitespace into one space."""
    return " ".join(text.replace("\u00ad", "").split())


def find_spec(repo: pathlib.Path = REPO) -> pathlib.Path | None:
    """Return the ФФД text path from $KKTEMU_FFD_SPEC or beside the checkout, or None.

    Beside the checkout means ../shared/reference/specs/ next to ``repo`` and,
    when ``repo`` is a linked git worktree, next to its main working tree.
    """
    candidates = []
    if os.environ.get("KKTEMU_FFD_SPEC"):
        candidates.append(pathlib.Path(os.environ["KKTEMU_FFD_SPEC"]))
    roots = [repo]
    main_tree = main_worktree(repo)
    if main_tree is not None and main_tree != repo:
        roots.append(main_tree)
    candidates.extend(root.parent / "shared" / "reference" / "specs" / SPEC_NAME for root in roots)
    return next((path for path in candidates if path.is_file()), None)


def main_worktree(repo: pathlib.Path) -> pathlib.Path | None:
    """Return the main working tree of the git checkout at ``repo``, or None when ``repo`` is not one.

    A linked worktree has a ``.git`` file ("gitdir: PATH") whose directory
    names the shared git directory in ``commondir``; the main working tree is
    that directory's parent. Read from the files, so git need not be installed.
    """
    marker = repo / ".git"
    if marker.is_dir():
        return repo
    if not marker.is_file():
        return None
    text = marker.read_text(encoding="utf-8").strip()
    if not text.startswith("gitdir:"):
        return None
    git_dir = (repo / text.removeprefix("gitdir:").strip()).resolve()
    common = git_dir / "commondir"
    if not common.is_file():
        return None
    return (git_dir / common.read_text(encoding="utf-8").strip()).resolve().parent


def split_tables(lines: list[str]) -> dict[int, tuple[int, list[str]]]:
    """Map each table number to (line number of its heading, lines up to the next heading)."""
    headings = [(index, int(match[1])) for index, line in enumerate(lines)
                if (match := _HEADING.match(line))]
    tables = {}
    for position, (start, number) in enumerate(headings):
        end = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
        tables[number] = (start + 1, lines[start:end])
    return tables


def caption(table: list[str]) -> str:
    """Return the table's title: the text lines between the heading and the table."""
    title = []
    for line in table[1:]:
        if line.startswith(("+", "  -")):
            break
        title.append(line)
    return normalise(" ".join(title))


def parse_grid(first_line: int, table: list[str]) -> list[dict[str, str]]:
    """Read a pandoc grid table into rows keyed by the header cells.

    Column borders are the '+' positions of the first border line; a cell's
    text is the join of its slices over the row's physical lines.
    """
    borders: list[int] | None = None
    rows: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for offset, line in enumerate(table):
        line = line.rstrip()
        if _GRID_BORDER.match(line):
            positions = [index for index, char in enumerate(line) if char == "+"]
            if borders is None:
                borders = positions
            elif positions != borders:
                raise SpecError(f"line {first_line + offset}: grid column borders differ from the first border line")
            if current is not None:
                rows.append(current)
            current = [[] for _ in borders[:-1]]
        elif line.startswith("|") and current is not None and borders is not None:
            for column, (left, right) in enumerate(zip(borders, borders[1:])):
                if len(line) <= left or line[left] != "|":
                    raise SpecError(f"line {first_line + offset}: cell border missing at column {left}")
                current[column].append(line[left + 1:right])
        elif current is not None and line and borders is not None:
            break
    if not rows:
        raise SpecError(f"line {first_line}: no grid table found")
    header = [normalise(" ".join(cell)) for cell in rows[0]]
    return [dict(zip(header, (normalise(" ".join(cell)) for cell in row))) for row in rows[1:]]


def parse_simple(first_line: int, table: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Read a pandoc simple table into (line number, row keyed by header label) pairs.

    Cells are runs of text separated by two or more spaces. A row with fewer
    cells than the header (an empty cell) places each cell under the header
    label whose start is nearest.
    """
    rules = [offset for offset, line in enumerate(table) if _SIMPLE_RULE.match(line)]
    if len(rules) < 3:
        raise SpecError(f"line {first_line}: simple table rules not found")
    header_line = table[rules[0] + 1]
    labels = [(match.start(), match.group()) for match in _CELL.finditer(header_line)]
    rows = []
    for offset in range(rules[1] + 1, rules[2]):
        line = table[offset]
        if not line.strip():
            continue
        cells = [(match.start(), match.group()) for match in _CELL.finditer(line)]
        row: dict[str, str] = {label: "" for _, label in labels}
        if len(cells) == len(labels):
            for (_, label), (_, text) in zip(labels, cells):
                row[label] = text
        else:
            for start, text in cells:
                _, label = min(labels, key=lambda item: abs(item[0] - start))
                if row[label]:
                    raise SpecError(f"line {first_line + offset}: two cells under «{label}»")
                row[label] = text
        rows.append((first_line + offset, {label: normalise(text) for label, text in row.items()}))
    return rows


def tag_type(kind: str, wire_format: str, length: int | None, where: str) -> tuple[TlvType, bool]:
    """Map the «Тип» and «Формат ЭФ» columns to (TlvType, bitmask)."""
    kind = kind.replace("-", "").lower()
    wire_format = wire_format.lower()
    if kind == "флаги" and wire_format == "регистр битов":
        if length == 1:
            return TlvType.BYTE, True
        if length == 4:
            return TlvType.UINT32, True
        raise SpecError(f"{where}: bit register of {length} bytes")
    if kind == "текст" and wire_format == "-":
        return TlvType.STRING, False  # print-only tags 1000 and 1196
    try:
        return _FORMATS[(kind, wire_format)], False
    except KeyError:
        raise SpecError(f"{where}: unknown type «{kind}» / «{wire_format}»") from None


def read_tag_row(row: dict[str, str], source: str, where: str) -> TagInfo:
    """Build a TagInfo from one row of table 5 or 14 (English name left empty)."""
    length_text = row["Длина"]
    length = None if length_text == "-" else int(length_text)
    value_type, bitmask = tag_type(row["Тип"], row["Формат ЭФ"], length, where)
    fixed = row["Фикс."] == "Да"
    if value_type in _FIXED_SIZE:
        if length != _FIXED_SIZE[value_type]:
            raise SpecError(f"{where}: {value_type.value} of length {length}")
        fixed = True  # the text marks a few UInt32 and UnixTime tags «Нет», but their size is fixed
    return TagInfo(int(row["Тег"]), row["Наименование реквизита"], "", value_type, length, fixed,
                   bitmask, source)


def parse_tags(tables: dict[int, tuple[int, list[str]]]) -> dict[int, TagInfo]:
    """Read the tag dictionary from tables 5 and 14."""
    tags: dict[int, TagInfo] = {}
    first_line, table = tables[5]
    for row in parse_grid(first_line, table):
        if row["Тег"] == "-":
            continue  # form code, ФПС and other values that are not TLVs
        info = read_tag_row(row, "table 5", f"table 5, tag {row['Тег']}")
        tags[info.tag] = info
    first_line, table = tables[14]
    for line_number, row in parse_simple(first_line, table):
        info = read_tag_row(row, "table 14", f"line {line_number}")
        if info.tag in tags:
            raise SpecError(f"line {line_number}: tag {info.tag} is also in table 5")
        tags[info.tag] = info
    return tags


def parse_forms(tables: dict[int, tuple[int, list[str]]]) -> list[tuple[int, str, str]]:
    """Read (code, full name, printed title) of every form from table 11."""
    first_line, table = tables[11]
    forms = []
    for _, row in parse_simple(first_line, table):
        short = row["Формат ПФ"]
        forms.append((int(row["Код формы ФД"]), row["Полное наименование ФД"], "" if short == "-" else short))
    return forms


def parse_content(tables: dict[int, tuple[int, list[str]]], number: int, expected: str) -> list[TagUse]:
    """Read the tags a form or STLV table lists, skipping rows without a tag."""
    first_line, table = tables[number]
    if expected not in caption(table):
        raise SpecError(f"table {number} is «{caption(table)}», expected it to mention «{expected}»")
    uses = []
    for line_number, row in parse_simple(first_line, table):
        tag = row["Тег"]
        if tag == "-":
            continue  # form code, ФПС, ФПП and the untagged string inside 1068
        if not re.fullmatch(r"\d{4}", tag):
            raise SpecError(f"line {line_number}: tag «{tag}» is not a number")
        obligation = _OBLIGATION.match(row["Обяз."])
        media = row["Форм."]
        repeatable = row["Повт."]
        if obligation is None or media not in ("П", "Э", "ПЭ") or repeatable not in ("Да", "Нет"):
            raise SpecError(f"line {line_number}: invalid «Обяз.», «Форм.» or «Повт.» cell: "
                            f"«{row['Обяз.']}», «{media}», «{repeatable}»")
        electronic = int(obligation["both"] or obligation["electronic"])
        printed = int(obligation["both"] or obligation["print"])
        uses.append(TagUse(int(tag), electronic, printed, "Э" in media, "П" in media, repeatable == "Да"))
    return uses


def merge_extras(tags: dict[int, TagInfo]) -> dict[int, TagInfo]:
    """Apply tag_extras: added tags, corrections and English names."""
    merged = dict(tags)
    for added in tag_extras.ADDED_TAGS:
        if added.tag in merged:
            raise SpecError(f"tag {added.tag} of ADDED_TAGS is now in the text: drop the addition")
        merged[added.tag] = added
    for tag, changes in tag_extras.CORRECTIONS.items():
        merged[tag] = dataclasses.replace(merged[tag], **changes)
    missing = sorted(set(merged) - set(tag_extras.NAMES_EN))
    if missing:
        raise SpecError(f"tags without an English name in tag_extras.NAMES_EN: {missing}")
    return {tag: dataclasses.replace(merged[tag], name_en=tag_extras.NAMES_EN[tag]) for tag in sorted(merged)}


def quote(text: str) -> str:
    """Return a double-quoted Python literal of ``text`` (JSON escapes are valid Python)."""
    return json.dumps(text, ensure_ascii=False)


def render_tag(info: TagInfo) -> list[str]:
    bitmask = " bitmask=True," if info.bitmask else ""
    return [f"    {info.tag}: TagInfo({info.tag}, {quote(info.name_ru)}, {quote(info.name_en)},",
            f"                  T.{info.type.name}, {info.max_len!r}, {info.fixed_len},{bitmask} "
            f"source={quote(info.source)}),"]


def render_uses(key: int, uses: Iterable[TagUse]) -> list[str]:
    lines = [f"        {key}: ("]
    for use in uses:
        lines.append(f"            U({use.tag}, {use.obligation}, {use.obligation_print}, "
                     f"{use.electronic}, {use.printed}, {use.repeatable}),")
    return lines + ["        ),"]


def render(spec_digest: str, tags: dict[int, TagInfo], forms: list[tuple[int, str, str]],
           form_content: dict[int, list[TagUse]], stlv_content: dict[int, list[TagUse]]) -> str:
    """Return the source text of the tag_table module."""
    out = [
        '"""ФФД tag dictionary, document forms and the FFD 1.05 content of each form.',
        "",
        "GENERATED FILE, do not edit. Source: the official ФФД text, приложение № 2 к",
        "приказу ФНС России ЕД-7-20/662@ (file " + SPEC_NAME + ",",
        "SHA-256 " + spec_digest[:32],
        spec_digest[32:] + "), merged with protocol/ffd/tag_extras.py.",
        "Regenerate after changing either:",
        "    .venv/bin/python scripts/generate_ffd_tags.py --spec PATH/TO/" + SPEC_NAME,
        "",
        "The text holds the form tables of FFD 1.05 only (its section II), so",
        "FORM_CONTENT and STLV_CONTENT have no FFD 1.2 entries.",
        '"""',
        "",
        "from .schema import FormInfo, TagInfo, TlvType as T",
        "from .schema import TagUse as U",
        "",
        "# tag: TagInfo(tag, name_ru, name_en, type, max_len, fixed_len, bitmask, source)",
        "TAGS: dict[int, TagInfo] = {",
    ]
    for info in tags.values():
        out += render_tag(info)
    out += ["}", "", "# form code: FormInfo(code, name_ru, short_ru, name_en)", "FORMS: dict[int, FormInfo] = {"]
    for code, name_ru, short_ru in forms:
        out.append(f"    {code}: FormInfo({code}, {quote(name_ru)}, {quote(short_ru)},")
        out.append(f"                     {quote(tag_extras.FORM_NAMES_EN[code])}),")
    out += [
        "}",
        "",
        "# FFD version code (tag 1209) -> form code -> tags in table order, as",
        "# U(tag, obligation, obligation_print, electronic, printed, repeatable).",
        "FORM_CONTENT: dict[int, dict[int, tuple[U, ...]]] = {",
        f"    {FFD_1_05}: {{",
    ]
    for code, uses in form_content.items():
        out += render_uses(code, uses)
    out += ["    },", "}", "", "# FFD version code -> STLV tag -> child tags, as in FORM_CONTENT.",
            "STLV_CONTENT: dict[int, dict[int, tuple[U, ...]]] = {", f"    {FFD_1_05}: {{"]
    for parent, uses in stlv_content.items():
        out += render_uses(parent, uses)
    out += ["    },", "}", ""]
    return "\n".join(out)


def generate(spec: pathlib.Path) -> str:
    """Parse the ФФД text at ``spec`` and return the tag_table module source."""
    raw = spec.read_bytes()
    lines = raw.decode("utf-8").splitlines()
    tables = split_tables(lines)
    tags = merge_extras(parse_tags(tables))
    forms = parse_forms(tables)
    form_content = {}
    for code, sources in FORM_TABLES_105.items():
        form_content[code] = [use for number, expected in sources
                              for use in parse_content(tables, number, expected)]
    stlv_content = {parent: parse_content(tables, number, expected)
                    for parent, (number, expected) in STLV_TABLES_105.items()}
    listed = {use.tag for uses in (*form_content.values(), *stlv_content.values()) for use in uses}
    unknown = sorted(listed - set(tags))
    if unknown:
        raise SpecError(f"form tables list tags missing from the dictionary: {unknown}")
    return render(hashlib.sha256(raw).hexdigest(), tags, forms, form_content, stlv_content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=pathlib.Path, help="path of " + SPEC_NAME)
    parser.add_argument("--output", type=pathlib.Path, default=OUTPUT,
                        help="module to write (default: protocol/ffd/tag_table.py)")
    args = parser.parse_args(argv)
    extras = pathlib.Path(tag_extras.__file__).resolve()
    if not extras.is_relative_to(REPO):
        parser.error(f"kktemu is imported from {extras.parent}, not this checkout: "
                     "run the script with the checkout's .venv")
    spec = args.spec or find_spec()
    if spec is None:
        parser.error(f"{SPEC_NAME} not found: pass --spec or set KKTEMU_FFD_SPEC")
    try:
        source = generate(spec)
    except SpecError as exc:
        print(f"failed to parse {spec}: {exc}", file=sys.stderr)
        return 1
    args.output.write_text(source, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
