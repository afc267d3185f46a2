"""Real ФН messages from yandex/ofd sent to the mock ОФД.

V1 is the whole 466-byte message of yandex/ofd tests/example_test.py (ФН
9999078900005488, ФД 1, form 11). V2 is the 305-byte container of yandex/ofd
tests/ofd_test.py (ФН 999907891234567, ФД 1, form 1); V3, the session header
of the same file, names ФН 9999078950 and announces 305 bytes. Their ФПД and
ФПС were made by real ФН, so they verify only when the mock skips the sign
check.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from kktemu.protocol.ofd.confirmation import OperatorConfirmation
from kktemu.protocol.ofd.message import decode_message
from kktemu.protocol.ofd.session import P_VERSION_OBSERVED, SessionHeader
from kktemu.tools.ofd import InvalidMessage, MockOfd, Result, parse_message

V1 = bytes.fromhex("""
2a08410a81a2000139393939303738393030303035343838b40114000000b401
2578a50b011009999907890000548800000184ec4c14c20000010004018a0b00
860111041000393939393037383930303030353438380d041400303030303030
3030303530303835373020202020fa030c003737303232303332373620201004
040001000000f40304009855b958350406002104aa1075412004010000ea0301
0000e90301000055040100015604010000540401000026040100064d04010001
f5030c00303030303030303030303032180411008e8e8e2090808f8a80922de6
a5ade2e020f103300031313131343120a32e8caee1aaa2a02c20e3ab2e208ae3
e1aaaea2e1aaa0ef20a42e32308020aee4a8e120822d323032f9030c00373730
343335383531382020240408006e616c6f672e72755d0413006578616d706c65
406578616d706c652e636f6dfd030a0098a5adadaead208a2e2016040a004f4f
4f20544158434f4da504010002b904010002a4040300322e30a3043100313131
31343120a32e8caee1aaa2a02c20e3ab2e208ae3e1aaaea2e1aaa0ef0d0aa42e
32308020aee4a8e120822d323032b3040c00373731323334353637383930c504
010000b7040100018106a55ae10c4d750000""".replace("\n", ""))

V2_CONTAINER = bytes.fromhex("""
310103eca501011009999907891234567f00000100230982c400000100020107
0100030111041000393939393037383931323334353637200d04140031323030
30303133303030302020202020202020fa030c00313132323333343435353636
1004040001000000f403040028540e573504060021041c6b81a4e903010000ea
0301000020040100002604010001180409008e8e8e20228c8c8c222104010000
2204010000f10326008caee1aaa2a02c2087a5aba5adeba920afe0aee1afa5aa
e22c20a42e363620aaaee0af2e2032160408008e94842de2a5e1e225040a0077
77772e6f66642e727524040c007777772e6e616c6f672e727519040600313131
323334fd0312009188912e2080848c888d8891929080928e90f5030a00303632
30303030303031810673fca34b28720000""".replace("\n", ""))
V3 = bytes.fromhex("2a08410a81a2000139393939303738393530202020202020310114000000")

# V2 under a session header of its own ФН, as a register would send it.
V2 = SessionHeader("999907891234567", len(V2_CONTAINER), 0x0014, P_VERSION_OBSERVED).encode() + V2_CONTAINER


def serve(kit, message: bytes, **options):
    async def main():
        server = MockOfd(**options)
        await server.start()
        try:
            return await kit.exchange(server.address, message), server.documents()
        finally:
            await server.stop()

    return kit.run(main)


def test_vector_sizes():
    assert len(V1) == 466
    assert len(V2_CONTAINER) == 305
    assert len(V3) == 30


@pytest.mark.parametrize(("message", "serial", "form", "sign"), [
    (V1, "9999078900005488", 11, 2853205313),
    (V2, "999907891234567", 1, 476807588),
])
def test_vector_accepted_without_sign_check(kit, message, serial, form, sign):
    answer, documents = serve(kit, message, verify_signs=False, ofd_inn="7704358518")
    ticket = decode_message(answer)
    confirmation = OperatorConfirmation.decode(ticket.container.document)
    assert (confirmation.fn_serial, confirmation.fd_number, confirmation.ofd_inn) == (serial, 1, "7704358518")
    assert confirmation.answer_code == 0
    assert ticket.fn_serial == serial
    # The квитанция answers in the P-protocol version of the message (00 01 in both samples).
    assert ticket.protocol_version == P_VERSION_OBSERVED
    record = documents[0]
    assert (record.fn_serial, record.fd_number, record.form, record.fiscal_sign) == (serial, 1, form, sign)
    assert record.result == Result.ACCEPTED


@pytest.mark.parametrize("message", [V1, V2])
def test_vector_sign_fails_verification(kit, message, caplog):
    with caplog.at_level(logging.WARNING, logger="kktemu.tools.ofd.server"):
        answer, documents = serve(kit, message)
    assert answer == b""
    assert [record.result for record in documents] == [Result.INVALID_SIGN]
    assert any("does not verify" in record.getMessage() for record in caplog.records)


def test_v3_header_with_v2_container_invalid(kit):
    """V3 names ФН 9999078950 while the V2 container is ФН 999907891234567: not a message of one ФН."""
    with pytest.raises(InvalidMessage, match="9999078950"):
        parse_message(V3 + V2_CONTAINER)
    answer, documents = serve(kit, V3 + V2_CONTAINER, verify_signs=False)
    assert answer == b""
    assert documents == []


def test_vector_document_times():
    # 1012 of V1 is 1488541080 and of V2 1460556840, local wall-clock times written as UnixTime.
    assert parse_message(V1).document_time == dt.datetime(2017, 3, 3, 11, 38)
    assert parse_message(V2).document_time == dt.datetime(2016, 4, 13, 14, 14)
