"""Bad input never corrupts the ФН: random command sequences, then a reopen that must agree.

Each generated step is a command, a function building its data from the ККТ's
clock, and how many minutes that clock moves first. The ФН timer follows the
ККТ's clock with a few minutes of random drift, so some receipts hit the
5-minute rule (17h) and long runs hit the 24-hour rule (16h).
"""

from __future__ import annotations

import datetime as dt
import pathlib
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kktemu.fn_storage import FiscalStorage, read_archive, verify_document
from kktemu.fn_storage.identifiers import make_rnm
from kktemu.fn_storage.profile import FnProfile
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_string, encode_vln
from kktemu.protocol.fn import documents
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import split_answer_code

# The documents here are minimal (a registration without its flags, say), so the ФН
# runs with the strict format-logical control off; tests/fn_storage/flc tests the control.
MINIMAL_DOCUMENTS = FnProfile(strict_control=False)
SERIAL = "9999078900000042"
INN = "7704358518"
KKT_SERIAL = "00000000000000005555"
START = dt.datetime(2024, 6, 1, 8, 0)
CASHIER = encode_tlv(1021, encode_string("Кассир"))


def _fixed(data: bytes):
    return lambda moment: data


def _dated(request_class):
    return lambda moment: request_class(moment).encode()


def _sale(operation: int, total: int, cash: int) -> bytes:
    return encode_tlv(1054, bytes((operation,))) + encode_tlv(1020, encode_vln(total)) + encode_tlv(
        1031, encode_vln(cash)
    )


@st.composite
def flows(draw):
    """A whole document cycle with plausible values, which the ФН may still refuse."""
    kind = draw(st.sampled_from(["open", "close", "receipt", "receipt", "correction", "settlement"]))
    if kind == "open":
        return [(C.BEGIN_OPEN_SHIFT, _dated(documents.BeginOpenShiftRequest)),
                (C.SEND_DOCUMENT_DATA, _fixed(CASHIER)), (C.OPEN_SHIFT, _fixed(b""))]
    if kind == "close":
        return [(C.BEGIN_CLOSE_SHIFT, _dated(documents.BeginCloseShiftRequest)),
                (C.SEND_DOCUMENT_DATA, _fixed(CASHIER)), (C.CLOSE_SHIFT, _fixed(b""))]
    if kind == "settlement":
        return [(C.BEGIN_SETTLEMENT_REPORT, _dated(documents.BeginSettlementReportRequest)),
                (C.FORM_SETTLEMENT_REPORT, _fixed(b""))]
    total = draw(st.integers(0, 10**7))
    operation = draw(st.sampled_from([1, 1, 1, 2, 3, 4]))
    cash = draw(st.sampled_from([total, 0]))
    begin = C.BEGIN_CORRECTION_RECEIPT if kind == "correction" else C.BEGIN_RECEIPT
    form_operation = draw(st.sampled_from([operation, operation, operation, 7]))
    return [
        (begin, _dated(documents.BeginReceiptRequest)),
        (C.SEND_DOCUMENT_DATA, _fixed(_sale(operation, total, cash))),
        (C.FORM_RECEIPT, lambda moment: documents.FormReceiptRequest(moment, form_operation, total).encode()),
    ]


singles = st.one_of(
    st.tuples(st.sampled_from([C.BEGIN_OPEN_SHIFT, C.BEGIN_CLOSE_SHIFT, C.BEGIN_RECEIPT]),
              st.just(_dated(documents.DateTimeRequest))),
    st.tuples(st.sampled_from([C.OPEN_SHIFT, C.CLOSE_SHIFT, C.CANCEL_DOCUMENT, C.FORM_SETTLEMENT_REPORT,
                               C.READ_DOCUMENT_TLV]), st.just(_fixed(b""))),
    st.tuples(st.integers(0, 0x70), st.binary(max_size=40).map(_fixed)),
)
groups = st.one_of(flows(), flows(), singles.map(lambda step: [step]))
delays = st.sampled_from([0, 1, 1, 5, 30, 60 * 8, 60 * 25, -2])
drifts = st.sampled_from([0, 0, 0, 1, -1, 6, -7])
scenarios = st.lists(st.tuples(groups, delays, drifts), min_size=3, max_size=30)


def _register(fn: FiscalStorage) -> None:
    rnm = make_rnm(77, INN, KKT_SERIAL)
    steps = [
        (C.BEGIN_REGISTRATION_REPORT, b"\x00"),
        (C.SEND_DOCUMENT_DATA, encode_tlv(1209, b"\x04") + encode_tlv(1013, encode_string(KKT_SERIAL))),
        (C.FORM_REGISTRATION_REPORT, documents.FormRegistrationRequest(START, INN, rnm, 1, 0).encode()),
    ]
    for command, data in steps:
        assert fn.execute(command, data)[0] == 0


def _observe(fn: FiscalStorage) -> list[tuple[int, bytes]]:
    queries = [(C.GET_STATUS, b""), (C.GET_SHIFT_PARAMETERS, b""), (C.GET_UNCONFIRMED_COUNT, b""),
               (C.GET_FISCALIZATION_RESULT, b""), (C.GET_EXPIRY, b"")]
    return [fn.execute(command, data) for command, data in queries]


def _run(path: pathlib.Path, scenario) -> tuple[list, bytes, int]:
    kkt_clock = START
    timer = [START]
    fn = FiscalStorage.create(path, SERIAL, lambda: timer[0], profile=MINIMAL_DOCUMENTS)
    _register(fn)
    first_shift = documents.BeginOpenShiftRequest(START).encode()
    for command, data in ((C.BEGIN_OPEN_SHIFT, first_shift), (C.SEND_DOCUMENT_DATA, CASHIER), (C.OPEN_SHIFT, b"")):
        assert fn.execute(command, data)[0] == 0
    for group, delay, drift in scenario:
        kkt_clock += dt.timedelta(minutes=delay)
        timer[0] = kkt_clock + dt.timedelta(minutes=drift)
        for command, build in group:
            code, answer = fn.execute(command, build(kkt_clock))
            result, _warning = split_answer_code(code)
            assert 0 <= result <= 0x20
            # A rejected квитанция (26h, result 20h) is the one refusal that carries data: the reason byte.
            assert result == 0 or answer == b"" or (command, result) == (C.SEND_OFD_TICKET, 0x20)
    # A power cut forgets the open document; the state must match after reopening.
    fn.execute(C.CANCEL_DOCUMENT, b"")
    observed = _observe(fn)
    key = fn.key
    fn.close()
    return observed, key, timer[0]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_random_commands_keep_archive_consistent(scenario):
    with tempfile.TemporaryDirectory() as directory:
        path = pathlib.Path(directory) / "fn.bin"
        observed, key, last_time = _run(path, scenario)

        contents = read_archive(path)
        numbers = [document.fd_number for document in contents.documents]
        assert contents.torn_tail_bytes == 0
        assert numbers == list(range(1, len(numbers) + 1))
        assert all(verify_document(key, document.stlv) for document in contents.documents)
        for earlier, later in zip(contents.documents, contents.documents[1:]):
            slack = dt.timedelta(hours=1) if later.form == 2 else dt.timedelta(0)
            assert later.moment >= earlier.moment - slack
        with FiscalStorage.open(path, lambda: last_time, profile=MINIMAL_DOCUMENTS) as reopened:
            assert _observe(reopened) == observed
