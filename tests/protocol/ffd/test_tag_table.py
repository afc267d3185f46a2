"""The generated ФФД tag dictionary: freshness, coverage and entries checked against the official text."""

import importlib.util
import pathlib

import pytest

from kktemu.protocol.ffd import tag_extras
from kktemu.protocol.ffd.schema import TlvType
from kktemu.protocol.ffd.tag_table import FORM_CONTENT, STLV_CONTENT, TAGS
from kktemu.protocol.ffd.tags import is_money, is_stlv, known_tags, tag_info

REPO = pathlib.Path(__file__).resolve().parents[3]


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_ffd_tags", REPO / "scripts" / "generate_ffd_tags.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


def test_generated_module_is_up_to_date(tmp_path):
    spec = generator.find_spec()
    if spec is None:
        pytest.skip(f"{generator.SPEC_NAME} not found in ../shared/reference/specs/ beside the checkout: "
                    "set KKTEMU_FFD_SPEC to its path to run this check")
    output = tmp_path / "tag_table.py"
    assert generator.main(["--spec", str(spec), "--output", str(output)]) == 0
    committed = (REPO / "protocol" / "ffd" / "tag_table.py").read_text(encoding="utf-8")
    assert output.read_text(encoding="utf-8") == committed, "run scripts/generate_ffd_tags.py"


def _shared_spec(root: pathlib.Path) -> pathlib.Path:
    spec = root / "shared" / "reference" / "specs" / generator.SPEC_NAME
    spec.parent.mkdir(parents=True)
    spec.write_text("table text", encoding="utf-8")
    return spec


def _linked_worktree(root: pathlib.Path) -> pathlib.Path:
    """Lay out root/main (a checkout with .git/) and root/wt/J, a linked worktree of it, as git does."""
    git_dir = root / "main" / ".git" / "worktrees" / "J"
    git_dir.mkdir(parents=True)
    (git_dir / "commondir").write_text("../..\n", encoding="utf-8")
    worktree = root / "wt" / "J"
    worktree.mkdir(parents=True)
    (worktree / ".git").write_text(f"gitdir: {git_dir}\n", encoding="utf-8")
    return worktree


def test_spec_found_beside_checkout(tmp_path, monkeypatch):
    monkeypatch.delenv("KKTEMU_FFD_SPEC", raising=False)
    spec = _shared_spec(tmp_path)
    (tmp_path / "main" / ".git").mkdir(parents=True)
    assert generator.find_spec(tmp_path / "main") == spec


def test_spec_found_beside_main_worktree(tmp_path, monkeypatch):
    monkeypatch.delenv("KKTEMU_FFD_SPEC", raising=False)
    spec = _shared_spec(tmp_path)
    worktree = _linked_worktree(tmp_path)
    assert generator.main_worktree(worktree) == (tmp_path / "main").resolve()
    assert generator.find_spec(worktree) == spec.resolve()


def test_spec_missing_gives_none(tmp_path, monkeypatch):
    monkeypatch.delenv("KKTEMU_FFD_SPEC", raising=False)
    worktree = _linked_worktree(tmp_path)
    assert generator.find_spec(worktree) is None
    assert generator.find_spec(tmp_path / "no-checkout") is None


def test_spec_environment_variable_first(tmp_path, monkeypatch):
    _shared_spec(tmp_path)
    chosen = tmp_path / "elsewhere.txt"
    chosen.write_text("table text", encoding="utf-8")
    monkeypatch.setenv("KKTEMU_FFD_SPEC", str(chosen))
    assert generator.find_spec(_linked_worktree(tmp_path)) == chosen


# Tags of forms 1, 2, 3 and 5 and of the STLVs inside them, FFD 1.05 and 1.2.
NESTED_TAGS = {
    "1059 item": [1214, 1212, 1222, 1223, 1224, 1226, 1030, 1197, 1162, 1163, 1229, 1230, 1231, 1079, 1198,
                  1023, 1199, 1200, 1043, 1191, 1260, 1291, 2000, 2102, 2106, 2108, 2115],
    "counters": [1194, 1157, 1158, 1133, 1129, 1130, 1131, 1132, 1134, 1135, 1136, 1138, 1139, 1140, 1141,
                 1142, 1143, 1144, 1145, 1146, 1183, 1201, 1218, 1219, 1220, 1232, 1233],
    "1163 product code": [1300, 1301, 1302, 1303, 1304, 1305, 1306, 1307, 1308, 1309,
                          1320, 1321, 1322, 1323, 1324, 1325],
    "1174 correction basis": [1177, 1178, 1179],
    "1084 user property": [1085, 1086],
    "1223 agent": [1044, 1073, 1074, 1005, 1016, 1026, 1075],
    "1224 supplier": [1171, 1225],
    "1256 customer": [1227, 1228, 1243, 1244, 1245, 1246, 1254],
    "1260 industry property": [1261, 1262, 1263, 1264, 1265],
    "1270 operational property": [1271, 1272, 1273],
    "1291 fractional quantity": [1292, 1293, 1294],
    "1.2 registration and shift": [1290, 1213, 1205, 1274, 1275, 1276, 1277, 1278, 1279, 2107, 2112, 2113],
}


@pytest.mark.parametrize("group", NESTED_TAGS)
def test_nested_tags_covered(group):
    missing = [tag for tag in NESTED_TAGS[group] if tag_info(tag) is None]
    assert missing == []


def test_form_tables_use_known_tags():
    listed = {use.tag for version in (FORM_CONTENT, STLV_CONTENT) for table in version.values()
              for uses in table.values() for use in uses}
    assert listed <= known_tags()


# Entries as the ФФД text (table 5 unless noted) gives them.
@pytest.mark.parametrize("tag, kind, max_len, fixed, bitmask", [
    (1077, TlvType.BYTES, 6, True, False),      # ФПД, bytes 2-5 printed
    (1078, TlvType.BYTES, 16, False, False),    # ФПО
    (1162, TlvType.BYTES, 32, False, False),    # table 14, FFD 1.05
    (1213, TlvType.UINT16, 2, True, False),
    (1205, TlvType.UINT32, 4, True, True),
    (1290, TlvType.UINT32, 4, True, True),
    (1055, TlvType.BYTE, 1, True, True),
    (1062, TlvType.BYTE, 1, True, True),        # bits per table 6
    (1023, TlvType.FVLN, 8, False, False),
    (1020, TlvType.VLN, 6, False, False),
    (1136, TlvType.VLN, 6, False, False),       # counters: 6 in the text, 8 in the Штрих-М JavaPOS dictionary
    (1037, TlvType.STRING, 20, True, False),
    (1041, TlvType.STRING, 16, True, False),
    (1018, TlvType.STRING, 12, True, False),
    (1245, TlvType.STRING, 32, True, False),
    (1012, TlvType.UNIXTIME, 4, True, False),
    (2114, TlvType.UNIXTIME, 4, True, False),   # «Фикс. Нет» in the text, fixed by its type
    (1059, TlvType.STLV, 1024, False, False),
    (1068, TlvType.STLV, 9, False, False),
    (1163, TlvType.STLV, 64, False, False),     # added: not in the text
    (1125, TlvType.BYTE, 1, True, False),       # added: ФФД 1.2, i3bepb/uniteller-php-sdk Receipt.php
    (1000, TlvType.STRING, None, False, False),  # print-only
])
def test_entry(tag, kind, max_len, fixed, bitmask):
    info = tag_info(tag)
    assert (info.type, info.max_len, info.fixed_len, info.bitmask) == (kind, max_len, fixed, bitmask)


@pytest.mark.parametrize("tag, name", [
    (1001, "признак автоматического режима"),
    (1134, "количество чеков (БСО) и чеков коррекции (БСО коррекции) со всеми признаками расчетов"),
    (1129, "счетчики операций «приход»"),
    (1215, "сумма по чеку (БСО) предоплатой (зачетом аванса и (или) предыдущих платежей)"),
    (1188, "версия ККТ"),
])
def test_official_names(tag, name):
    assert tag_info(tag).name_ru == name


def test_names_normalised():
    for info in TAGS.values():
        assert info.name_ru == " ".join(info.name_ru.split())
        assert "\u00ad" not in info.name_ru
        assert info.name_en


def test_every_tag_sourced():
    for info in TAGS.values():
        assert info.source.startswith("table ") or info in tag_extras.ADDED_TAGS


def test_internet_flag_added():
    info = tag_info(1125)
    assert info.name_ru == "признак расчета в сети «Интернет»"
    assert info.name_en == "internet settlement flag"
    assert "uniteller-php-sdk" in info.source


def test_unknown_tag():
    assert tag_info(1115) is None
    assert not is_stlv(1115)


def test_predicates():
    assert is_money(1020)
    assert not is_money(1293)
    assert is_stlv(1059)
    assert not is_stlv(1030)


def test_spec_error_on_misaligned_grid():
    table = ["Таблица 9", "", "+---+---+", "| a | b |", "+===+===+", "| 1 x 2 |", "+---+---+"]
    with pytest.raises(generator.SpecError):
        generator.parse_grid(1, table)


def test_simple_table_empty_cell():
    table = ["Таблица 9", "", "  ----------------------", "  Тег    Обяз.   Повт.",
             "  ------ ------- -------", "  1077            Нет", "", "  1040   1       Нет",
             "  ----------------------"]
    rows = [row for _, row in generator.parse_simple(1, table)]
    assert rows == [{"Тег": "1077", "Обяз.": "", "Повт.": "Нет"}, {"Тег": "1040", "Обяз.": "1", "Повт.": "Нет"}]


def test_normalise_drops_soft_hyphen():
    assert generator.normalise("автоматическо\u00adго  режима") == "автоматического режима"
