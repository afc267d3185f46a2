"""The ФН profile options (--fn-validity, --no-flc, --strict-ofd) and fn serve's --clock, end to end.

The subprocess tests start the installed ``kktemu`` on 127.0.0.1 port 0 and
check that each option reaches the ФН model: a Штрих-М host talks to
``kktemu serve`` and register firmware (``FnClient`` over the ФН framing)
talks to ``kktemu fn serve``. Bad values and the help text run in-process.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kktemu.emulator.fn_client import FnClient
from kktemu.emulator.profiles import get_profile
from kktemu.emulator.receipt import Receipt, ReceiptContext, make_item, receipt_tlv
from kktemu.emulator.refusals import Refusal
from kktemu.emulator.registration import default_identity, register_fn
from kktemu.fn_storage import read_archive
from kktemu.fn_storage.ofd_operator import confirm_message
from kktemu.fn_storage.profile import DEFAULT_PROFILE, FnProfile
from kktemu.protocol.ffd.tlv import encode_tlv
from kktemu.protocol.ffd.values import encode_byte, encode_string, encode_uint32
from kktemu.protocol.fn.codes import FnCommand, FnResult
from kktemu.protocol.fn.documents import DateTimeRequest
from kktemu.protocol.fn.exchange import (
    OfdMessageLengthAnswer,
    OfdTicketAnswer,
    ReadOfdBlockRequest,
    TicketRejectReason,
)
from kktemu.protocol.fn.frame import FnFrame, FnFrameDecoder, encode_frame
from kktemu.protocol.fn.service import DaysLeftAnswer
from kktemu.protocol.shtrih import commands as c
from kktemu.protocol.shtrih.frame import decode_frame
from kktemu.protocol.shtrih.frame import encode_frame as encode_shtrih_frame
from kktemu.tools.errors import CliError
from kktemu.tools.fn_profile_option import describe_fn_profile, make_fn_profile
from support.cli_process import CliProcess, environment_without_locale

KKTEMU = Path(sys.executable).with_name("kktemu")
READY_TIMEOUT = 20.0  # seconds; a bound for a loaded CI machine, not a performance claim
IO_TIMEOUT = 5.0
START = "2030-01-02T03:04:05"
START_TIME = dt.datetime(2030, 1, 2, 3, 4, 5)
CASHIER = "Иванова А."
ADMIN = 30  # Штрих-М system administrator password
FFD_1_05 = 2
ACK, STX = b"\x06", b"\x02"
OFD_INN = "7704358518"


# --- a running kktemu server -----------------------------------------------------------------


class Server(CliProcess):
    """A running ``kktemu -v <command...>`` in an environment without locale variables."""

    def __init__(self, *args: str | os.PathLike[str]) -> None:
        super().__init__(["-v", *map(str, args)], environment_without_locale())

    def ready(self) -> tuple[str, int]:
        """Wait (bounded) for the two ready lines; return the ФН serial and the TCP port."""
        lines = self.read_lines(2)
        prefix = "listening tcp 127.0.0.1:"
        assert lines[1].startswith(prefix), lines
        return lines[0].split(" ")[4], int(lines[1][len(prefix):])


@pytest.fixture
def start() -> Iterator:
    """Return ``start(*args)`` for Server; kills leftovers at teardown."""
    started: list[Server] = []

    def run(*args: str | os.PathLike[str]) -> Server:
        server = Server(*args)
        started.append(server)
        return server

    yield run
    for server in started:
        server.kill()


def _read_exactly(connection: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        assert chunk, f"connection closed after {data.hex(' ')}"
        data += chunk
    return data


class ShtrihHost:
    """A Штрих-М host on TCP (protocol v1, no 0xFF after ACK): ``execute`` returns the answer body."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)

    def execute(self, request: c.Message) -> bytes:
        self.sock.sendall(encode_shtrih_frame(request.encode()))
        assert _read_exactly(self.sock, 1) == ACK
        header = _read_exactly(self.sock, 2)
        assert header[:1] == STX
        body = decode_frame(header + _read_exactly(self.sock, header[1] + 1))
        self.sock.sendall(ACK)
        return body

    def check(self, request: c.Message) -> bytes:
        """Execute ``request`` and fail unless the register accepted it."""
        body = self.execute(request)
        error = body[2] if body[0] == 0xFF else body[1]
        assert error == 0, f"{type(request).__name__} refused with error {error:02X}h"
        return body

    def close(self) -> None:
        self.sock.close()


class FnLine:
    """Register firmware's end of a ФН line over TCP, the ``FnPort`` of an ``FnClient``."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
        self.decoder = FnFrameDecoder()

    def execute(self, command: int, data: bytes) -> tuple[int, bytes]:
        self.sock.sendall(encode_frame(command, data))
        while True:
            chunk = self.sock.recv(4096)
            assert chunk, "the ФН closed the connection"
            events = self.decoder.receive_data(chunk)
            if events:
                assert len(events) == 1 and isinstance(events[0], FnFrame), events
                return events[0].code, events[0].data

    def close(self) -> None:
        self.sock.close()


# --- flows of register firmware against kktemu fn serve --------------------------------------


def _register(fn: FnClient, serial_number: str) -> None:
    identity = default_identity(serial_number, FFD_1_05)
    assert register_fn(fn, identity, get_profile("shtrih-m-01f", "1.05"), CASHIER, START_TIME) == 1


def _open_shift(fn: FnClient) -> None:
    shift_tlv = b"".join((
        encode_tlv(1021, encode_string(CASHIER)),
        encode_tlv(1038, encode_uint32(1)),
        encode_tlv(1188, encode_string(get_profile("shtrih-m-01f", "1.05").kkt_version)),
        encode_tlv(1189, encode_byte(FFD_1_05)),
        encode_tlv(1209, encode_byte(FFD_1_05)),
    ))
    assert fn.open_shift(START_TIME, shift_tlv).fd_number == 2


def _receipt_with_two_contacts(fn: FnClient, serial_number: str) -> int:
    """Form a receipt carrying two buyer contacts (1008), which the control rejects with 0Ch; return its ФД."""
    identity = default_identity(serial_number, FFD_1_05)
    receipt = Receipt(operation=1)
    receipt.add_item(make_item("Хлеб", 1_000_000, 4550, 1))
    settlement = receipt.settle(cash=4550, cashless=[])
    context = ReceiptContext(FFD_1_05, 1, 1, 1, CASHIER, identity.user_name, identity.address, identity.place)
    contacts = encode_tlv(1008, encode_string("+79990001122")) + encode_tlv(1008, encode_string("a@example.com"))
    fn.begin_receipt(START_TIME)
    tlv = receipt_tlv(receipt, settlement, context) + contacts
    return fn.form_receipt(START_TIME, tlv, 1, settlement.total).fd_number


def _read_ofd_message(fn: FnClient) -> bytes:
    """Read the message for the ОФД as a register does: 21h, 22h, 23h in blocks, 25h."""
    fn.call(FnCommand.SET_TRANSPORT_STATUS, b"\x01")
    length = OfdMessageLengthAnswer.decode(fn.call(FnCommand.BEGIN_OFD_MESSAGE_READ)).length
    message = b""
    while len(message) < length:
        message += fn.call(FnCommand.READ_OFD_MESSAGE_BLOCK, ReadOfdBlockRequest(len(message), 200).encode())
    fn.call(FnCommand.FINISH_OFD_MESSAGE_READ)
    return message


def _days_left(fn: FnClient) -> int:
    """3Bh: days of validity left on the date the register sends, here the frozen clock's."""
    request = DateTimeRequest(START_TIME.replace(second=0)).encode()
    return DaysLeftAnswer.decode(fn.call(FnCommand.GET_DAYS_LEFT, request)).days


# --- kktemu fn serve --------------------------------------------------------------------------


def test_fn_serve_clock_sets_fn_timer(start, tmp_path):
    fn_file = tmp_path / "fn.bin"
    server = start("fn", "serve", "--port", "0", "--fn-file", fn_file, "--clock", START, "--freeze-clock")
    serial_number, port = server.ready()
    line = FnLine(port)
    _register(FnClient(line), serial_number)
    line.close()
    assert server.stop() == 0
    registration = read_archive(fn_file).documents[0]
    assert registration.fn_time == START_TIME
    assert registration.moment == dt.datetime(2030, 1, 2, 3, 4)
    assert "ФН timer starts at 2030-01-02T03:04:05, frozen" in "".join(server.stderr)


def test_fn_serve_validity_in_3bh(start, tmp_path):
    fn_file = tmp_path / "fn.bin"
    server = start("fn", "serve", "--port", "0", "--fn-file", fn_file, "--clock", START, "--freeze-clock",
                   "--fn-validity", "13")
    serial_number, port = server.ready()
    line = FnLine(port)
    fn = FnClient(line)
    _register(fn, serial_number)
    # Thirteen months from 2030-01-02 end on 2031-02-02, 396 days on.
    assert _days_left(fn) == (dt.date(2031, 2, 2) - dt.date(2030, 1, 2)).days == 396
    line.close()
    assert server.stop() == 0
    log = "".join(server.stderr)
    assert "ФН profile: validity 13 months, format-logical control on, strict ОФД квитанция check off" in log


def test_fn_serve_reopen_uses_given_validity(start, tmp_path):
    # The archive does not store the profile: reopened without --fn-validity, the ФН runs 36 months.
    fn_file = tmp_path / "fn.bin"
    first = start("fn", "serve", "--port", "0", "--fn-file", fn_file, "--clock", START, "--freeze-clock",
                  "--fn-validity", "13")
    serial_number, port = first.ready()
    line = FnLine(port)
    _register(FnClient(line), serial_number)
    line.close()
    assert first.stop() == 0

    second = start("fn", "serve", "--port", "0", "--fn-file", fn_file, "--clock", START, "--freeze-clock")
    _, port = second.ready()
    line = FnLine(port)
    assert _days_left(FnClient(line)) == (dt.date(2033, 1, 2) - dt.date(2030, 1, 2)).days
    line.close()
    assert second.stop() == 0


@pytest.mark.parametrize(("options", "accepted"), [((), False), (("--no-flc",), True)], ids=["control", "no-flc"])
def test_fn_serve_no_flc(start, tmp_path, options, accepted):
    fn_file = tmp_path / "fn.bin"
    server = start("fn", "serve", "--port", "0", "--fn-file", fn_file, "--clock", START, "--freeze-clock", *options)
    serial_number, port = server.ready()
    line = FnLine(port)
    fn = FnClient(line)
    _register(fn, serial_number)
    _open_shift(fn)
    if accepted:
        assert _receipt_with_two_contacts(fn, serial_number) == 3
    else:
        with pytest.raises(Refusal) as refused:
            _receipt_with_two_contacts(fn, serial_number)
        assert refused.value.fn_code == FnResult.DUPLICATE_DATA == 0x0C
    line.close()
    assert server.stop() == 0
    assert [document.form for document in read_archive(fn_file).documents] == ([1, 2, 3] if accepted else [1, 2])


@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict-ofd"])
def test_fn_serve_strict_ofd(start, tmp_path, strict):
    fn_file = tmp_path / "fn.bin"
    options = ("--strict-ofd",) if strict else ()
    server = start("fn", "serve", "--port", "0", "--fn-file", fn_file, "--clock", START, "--freeze-clock", *options)
    serial_number, port = server.ready()
    line = FnLine(port)
    fn = FnClient(line)
    _register(fn, serial_number)
    message = _read_ofd_message(fn)
    unsigned = confirm_message(message, ofd_inn=OFD_INN, received_at=START_TIME, sign=False)
    before = fn_file.read_bytes()
    code, answer = line.execute(FnCommand.SEND_OFD_TICKET, unsigned)
    if strict:
        assert code == FnResult.OFD_MESSAGE_REJECTED == 0x20
        assert answer == bytes((TicketRejectReason.WRONG_FISCAL_SIGN,))
        assert fn_file.read_bytes() == before
        signed = confirm_message(message, ofd_inn=OFD_INN, received_at=START_TIME)
        code, answer = line.execute(FnCommand.SEND_OFD_TICKET, signed)
    assert code == FnResult.OK
    assert OfdTicketAnswer.decode(answer) == OfdTicketAnswer(0)
    line.close()
    assert server.stop() == 0
    assert [ticket.fd_number for ticket in read_archive(fn_file).tickets] == [1]


# --- kktemu serve -----------------------------------------------------------------------------


@pytest.mark.parametrize(("options", "answer"), [((), "FF 45 0C"), (("--no-flc",), "FF 45 00")],
                         ids=["control", "no-flc"])
def test_serve_no_flc(start, tmp_path, options, answer):
    # Two buyer contacts (1008) in one receipt break the rule of unrepeated tags, 0Ch, which the
    # Штрих-М dialect passes to the host as the error of FF45h.
    fn_file = tmp_path / "fn.bin"
    server = start("serve", "--port", "0", "--no-tcp-ff", "--fn-file", fn_file, "--clock", START,
                   "--freeze-clock", *options)
    _, port = server.ready()
    host = ShtrihHost(port)
    host.check(c.OperationV2Request(ADMIN, 1, 1_000_000, 2800, None, None, c.TaxRate.NO_VAT, 1, 4, 1, "Сахар"))
    host.check(c.SendTlvRequest(ADMIN, encode_tlv(1008, encode_string("+79990001122"))))
    host.check(c.SendTlvRequest(ADMIN, encode_tlv(1008, encode_string("a@example.com"))))
    closed = host.execute(c.CloseReceiptV2Request(ADMIN, (2800,) + (0,) * 15, 0, (0,) * 6, 1, ""))
    assert closed[:3] == bytes.fromhex(answer)
    if not options:
        host.check(c.CancelReceiptRequest(ADMIN))
    host.close()
    assert server.stop() == 0
    # ФД 1 registration, 2 open shift (the sale opened it), 3 the receipt when the control was off.
    forms = [document.form for document in read_archive(fn_file).documents]
    assert forms == ([1, 2, 3] if options else [1, 2])


@pytest.mark.parametrize(("options", "expiry"), [((), dt.date(2033, 1, 2)),
                                                 (("--fn-validity", "13"), dt.date(2031, 2, 2)),
                                                 (("--fn-validity", "15"), dt.date(2031, 4, 2))],
                         ids=["default-36", "13", "15"])
def test_serve_validity_in_ff03h(start, tmp_path, options, expiry):
    # The register registers its new ФН at the frozen clock; FF03h reads the ФН's 32h expiry date.
    server = start("serve", "--port", "0", "--no-tcp-ff", "--fn-file", tmp_path / "fn.bin", "--clock", START,
                   "--freeze-clock", *options)
    _, port = server.ready()
    host = ShtrihHost(port)
    answer = c.decode_answer(host.check(c.FnExpiryRequest(ADMIN)))
    host.close()
    assert server.stop() == 0
    assert answer.expiry == expiry
    months = options[1] if options else "36"
    assert f"ФН profile: validity {months} months, format-logical control on" in "".join(server.stderr)


def test_serve_strict_ofd_and_no_flc_logged(start, tmp_path):
    server = start("serve", "--port", "0", "--fn-file", tmp_path / "fn.bin", "--strict-ofd", "--no-flc")
    server.ready()
    assert server.stop() == 0
    log = "".join(server.stderr)
    assert ("INFO kktemu.tools.serve: ФН profile: validity 36 months, format-logical control off, "
            "strict ОФД квитанция check on") in log


# --- option values and help (in-process) -----------------------------------------------------


def test_profile_defaults_match_fn_profile():
    assert make_fn_profile(None, False, False, "en") == DEFAULT_PROFILE


@pytest.mark.parametrize("months", ["13", "15", "36", " 15 "])
def test_profile_validity_values(months):
    assert make_fn_profile(months, False, False, "en").validity_months == int(months)


def test_profile_switches():
    profile = make_fn_profile("13", True, True, "en")
    assert profile == FnProfile(validity_months=13, strict_control=False, strict_ofd=True)
    assert describe_fn_profile(profile) == ("validity 13 months, format-logical control off, "
                                            "strict ОФД квитанция check on")


@pytest.mark.parametrize("value", ["12", "14", "0", "-13", "13.0", "thirteen", ""])
def test_profile_bad_validity(value):
    with pytest.raises(CliError) as raised:
        make_fn_profile(value, False, False, "en")
    assert raised.value.exit_code == 2
    assert raised.value.format_message() == (f"--fn-validity {value!r} is not a ФН validity. "
                                             "Give the months of a ФН model: 13, 15 or 36.")


@pytest.mark.parametrize("command", [("serve",), ("fn", "serve")], ids=["serve", "fn-serve"])
@pytest.mark.parametrize("value", ["14", "abc"])
def test_bad_validity_creates_no_file(cli, tmp_path, command, value):
    fn_file = tmp_path / "fn"
    result = cli(*command, "--port", "0", "--fn-file", fn_file, "--fn-validity", value)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (f"Error: --fn-validity {value!r} is not a ФН validity. "
                             "Give the months of a ФН model: 13, 15 or 36.\n")
    assert not fn_file.exists()

    result = cli("--lang", "ru", *command, "--port", "0", "--fn-file", fn_file, "--fn-validity", value)
    assert result.exit_code == 2
    assert result.stderr == (f"Ошибка: --fn-validity {value!r} не является сроком действия ФН. "
                             "Укажите срок модели ФН в месяцах: 13, 15 или 36.\n")
    assert not fn_file.exists()


@pytest.mark.parametrize("command", [("serve",), ("fn", "serve")], ids=["serve", "fn-serve"])
def test_bad_clock_creates_no_file(cli, tmp_path, command):
    fn_file = tmp_path / "fn"
    result = cli(*command, "--port", "0", "--fn-file", fn_file, "--clock", "tomorrow", "--freeze-clock")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --clock 'tomorrow' is not a date and time.")
    assert not fn_file.exists()


def _help_text(output: str) -> str:
    # click wraps help text to the terminal width; compare it with the line breaks undone.
    return " ".join(output.split())


@pytest.mark.parametrize("command", [("serve",), ("fn", "serve")], ids=["serve", "fn-serve"])
def test_help_english(cli, command):
    result = cli(*command, "--help")
    assert result.exit_code == 0
    text = _help_text(result.stdout)
    assert "--fn-validity MONTHS Validity of the ФН's fiscal sign keys in months, 13, 15 or 36" in text
    assert "a reopened file runs with the value given now" in text
    assert "--no-flc Turn off the ФН's format-logical control" in text
    assert "--strict-ofd Reject an ОФД квитанция (26h, result 20h)" in text
    assert "--clock ISO_TIME" in text
    assert "--freeze-clock" in text


@pytest.mark.parametrize("arguments", [("--lang", "ru", "serve", "--help"), ("serve", "--lang", "ru", "--help"),
                                       ("--lang", "ru", "fn", "serve", "--help"),
                                       ("fn", "serve", "--lang", "ru", "--help")])
def test_help_russian(cli, arguments):
    result = cli(*arguments)
    assert result.exit_code == 0
    text = _help_text(result.stdout)
    assert "--fn-validity MONTHS Срок действия ключей фискального признака ФН в месяцах: 13, 15 или 36" in text
    assert "--no-flc Отключить форматно-логический контроль ФН" in text
    assert "--strict-ofd Отклонять квитанцию ОФД (26h, код 20h)" in text


def test_help_russian_from_locale(cli):
    result = cli("fn", "serve", "--help", env={"LANG": "ru_RU.UTF-8"})
    assert result.exit_code == 0
    assert "В файле ФН не хранится" in _help_text(result.stdout)
