"""Receipts the register model builds always pass the control, and a broken copy gets the right rule.

The register (Штрих-М dialect) sells random items with FF46h and closes with
FF45h on a ФН with the strict control on. Every receipt must form. Its register
data, read back from the archive, are then broken in one way and checked again.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kktemu.emulator.app import Emulator
from kktemu.emulator.clock import Clock
from kktemu.emulator.profiles import SHTRIH_M_01F
from kktemu.fn_storage import read_archive
from kktemu.fn_storage.flc import DocumentContext, Rule, check_document
from kktemu.fn_storage.forming import FN_BLOCK_TAGS
from kktemu.protocol.ffd.tlv import encode_tlv, join_tlv, split_tlv
from kktemu.protocol.ffd.values import decode_vln, encode_string, encode_vln
from kktemu.protocol.shtrih import commands as c

START = dt.datetime(2024, 3, 1, 9, 0)
ADMIN = 30
FFD_CODES = {"1.05": 2, "1.2": 4}
VAT_TAGS = {1102, 1103, 1104, 1105, 1106, 1107}

ITEMS = st.lists(
    st.tuples(
        st.integers(1, 5_000).map(lambda thousandths: thousandths * 1000),  # quantity in millionths
        st.integers(1_000, 100_000),                # price in kopecks, so every item costs a kopeck or more
        st.sampled_from(list(c.TaxRate)),           # one rate bit
    ),
    min_size=1, max_size=4,
)


def _execute(emulator: Emulator, request) -> None:
    answer = emulator.execute(request.encode())
    error = answer[2] if answer[0] == 0xFF else answer[1]
    assert error == 0, f"{type(request).__name__} refused with error {error:02X}h"


def _sell(ffd: str, items, cashless_halves: int) -> tuple[bytes, int, dt.datetime]:
    """Sell ``items`` on a fresh register, paying ``cashless_halves`` halves of the total cashless.

    Returns the receipt's register data, the ФФД code and the document date.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fn.bin"
        with Emulator(path, clock=Clock(START, frozen=True), profile=SHTRIH_M_01F.with_ffd(ffd)) as emulator:
            for quantity, price, rate in items:
                _execute(emulator, c.OperationV2Request(ADMIN, 1, quantity, price, None, None, rate, 1, 4, 1,
                                                        "Товар"))
            receipt = emulator.register.receipt.receipt
            total = sum(item.amount for item in receipt.items)
            cashless = total * cashless_halves // 2
            payments = (total - cashless, cashless) + (0,) * 14
            _execute(emulator, c.CloseReceiptV2Request(ADMIN, payments, 0, (0,) * 6, 1, ""))
        document = read_archive(path).documents[-1]
    assert document.form == 3
    data = join_tlv(split_tlv(document.tlv)[len(FN_BLOCK_TAGS):])
    return data, FFD_CODES[ffd], document.moment


def _replace(items, tag, change):
    """Return ``items`` with the first ``tag`` value changed by ``change``."""
    position = next(n for n, (t, _) in enumerate(items) if t == tag)
    result = list(items)
    result[position] = (tag, change(items[position][1]))
    return result


def _add_kopecks(kopecks: int):
    return lambda value: encode_vln(decode_vln(value) + kopecks)


def _break_first_item(items, change):
    return _replace(items, 1059, lambda value: join_tlv(change(split_tlv(value))))


def _mutations(items):
    """Yield ``(name, broken items, expected rule)``."""
    yield "drop 1020", [(t, v) for t, v in items if t != 1020], Rule.TAG_MISSING
    yield "repeat 1054", [*items, (1054, dict(items)[1054])], Rule.TAG_REPEATED
    yield "add 1101", [*items, (1101, b"\x01")], Rule.TAG_ALLOWED
    yield "1020 + 1", _replace(items, 1020, _add_kopecks(1)), Rule.RECEIPT_TOTAL
    yield "1031 + 1", _replace(items, 1031, _add_kopecks(1)), Rule.PAYMENT_SUM
    yield "1043 + 2", _break_first_item(items, lambda children: _replace(children, 1043, _add_kopecks(2))), Rule.ITEM_SUM
    yield "repeat 1030", _break_first_item(items, lambda children: [*children, (1030, dict(children)[1030])]), \
        Rule.TAG_REPEATED
    yield "drop 1043", _break_first_item(items, lambda children: [(t, v) for t, v in children if t != 1043]), \
        Rule.TAG_MISSING
    vat_tag = next(t for t, _ in items if t in VAT_TAGS)
    group_size = sum(1 for t, _ in items if t == 1059)
    yield "VAT + 2n", _replace(items, vat_tag, _add_kopecks(2 * group_size)), Rule.VAT_SUM


@settings(max_examples=25)
@given(ffd=st.sampled_from(sorted(FFD_CODES)), items=ITEMS, cashless_halves=st.integers(0, 2))
def test_register_receipts_pass_and_mutants_fail(ffd, items, cashless_halves):
    data, version, moment = _sell(ffd, items, cashless_halves)
    context = DocumentContext(3, moment, version, 0x01)
    assert check_document(data, context) is None
    tlvs = split_tlv(data)
    for name, broken, rule in _mutations(tlvs):
        violation = check_document(join_tlv(broken), context)
        assert violation is not None, name
        assert violation.rule is rule, (name, str(violation))
        assert violation.result == rule.result, name


def test_host_sees_fn_code_and_receipt_stays_open(tmp_path):
    # Two buyer contacts (1008) in one receipt: the ФН rejects the receipt with 0Ch,
    # the Штрих-М dialect passes the code on, and nothing reaches the archive.
    path = tmp_path / "fn.bin"
    contacts = (encode_tlv(1008, encode_string("+79990001122")), encode_tlv(1008, encode_string("a@example.com")))
    with Emulator(path, clock=Clock(START, frozen=True)) as emulator:
        _execute(emulator, c.OperationV2Request(ADMIN, 1, 1_000_000, 2800, None, None, c.TaxRate.NO_VAT, 1, 4, 1,
                                                "Сахар"))
        for contact in contacts:
            _execute(emulator, c.SendTlvRequest(ADMIN, contact))
        before = path.read_bytes()
        answer = emulator.execute(c.CloseReceiptV2Request(ADMIN, (2800,) + (0,) * 15, 0, (0,) * 6, 1, "").encode())
        assert answer == bytes.fromhex("FF 45 0C")
        assert path.read_bytes() == before
        status = c.decode_answer(emulator.execute(c.ShortStatusRequest(ADMIN).encode()))
        assert status.mode == 0x08  # the receipt is still open
        _execute(emulator, c.CancelReceiptRequest(ADMIN))
