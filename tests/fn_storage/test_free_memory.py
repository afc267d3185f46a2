"""3Dh, the free memory of the ФН: documents left in the archive and free KB of the 30-day area.

Layout from the answer that javapos_shtrih (FSReadMemorySize, Штрих-М FF63h)
reads: two UInt32 LE, then a byte about the marking notification area that a
ФН registered without marking leaves out. kktemu's ФН never registers for
marking, so the answer is always 8 bytes.
"""

from __future__ import annotations

import math

from kktemu.fn_storage import FiscalStorage
from kktemu.fn_storage.profile import DEFAULT_PROFILE
from kktemu.protocol.fn import documents
from kktemu.protocol.fn.codes import FnCommand as C
from kktemu.protocol.fn.codes import FnResult as R
from kktemu.protocol.fn.service import FreeMemoryAnswer

ARCHIVE_CAPACITY_DOCUMENTS = DEFAULT_PROFILE.archive_capacity
THIRTY_DAY_AREA_KB = DEFAULT_PROFILE.thirty_day_area_kb


def _free_memory(kkt) -> FreeMemoryAnswer:
    data = kkt.call(C.GET_FREE_MEMORY)
    assert len(data) == 8
    return FreeMemoryAnswer.decode(data)


def _kilobytes(documents) -> int:
    return math.ceil(sum(len(document.stlv) for document in documents) / 1024)


def test_free_memory_before_registration(kkt, archive_path):
    before = archive_path.read_bytes()
    assert _free_memory(kkt) == FreeMemoryAnswer(ARCHIVE_CAPACITY_DOCUMENTS, THIRTY_DAY_AREA_KB)
    assert archive_path.read_bytes() == before


def test_free_memory_counts_documents(in_shift):
    formed = in_shift.fn._state.documents
    answer = _free_memory(in_shift)
    assert answer.documents_left == ARCHIVE_CAPACITY_DOCUMENTS - 2
    assert answer.ofd_area_free_kb == THIRTY_DAY_AREA_KB - _kilobytes(formed)
    assert answer.marking is None


def test_free_memory_area_frees_after_30_days(in_shift, clock):
    in_shift.close_shift()
    formed = in_shift.fn._state.documents
    assert _free_memory(in_shift).ofd_area_free_kb == THIRTY_DAY_AREA_KB - _kilobytes(formed)
    assert _kilobytes(formed) >= 1
    clock.advance(days=30, minutes=1)
    answer = _free_memory(in_shift)
    assert answer.ofd_area_free_kb == THIRTY_DAY_AREA_KB
    assert answer.documents_left == ARCHIVE_CAPACITY_DOCUMENTS - 3


def test_free_memory_in_post_fiscal_mode(registered, clock):
    registered.call(C.BEGIN_CLOSE_FISCAL_MODE)
    registered.call(C.SEND_DOCUMENT_DATA, registered.text(1021, "Иванова А."))
    request = documents.CloseFiscalModeRequest(clock(), registered.RNM)
    registered.call(C.CLOSE_FISCAL_MODE, request.encode())
    assert _free_memory(registered).documents_left == ARCHIVE_CAPACITY_DOCUMENTS - 2


def test_free_memory_rejects_data(kkt, archive_path):
    before = archive_path.read_bytes()
    kkt.call(C.GET_FREE_MEMORY, b"\x00", expect=R.UNKNOWN_COMMAND)
    assert archive_path.read_bytes() == before


def test_free_memory_survives_reopen(in_shift, archive_path, clock):
    answer = _free_memory(in_shift)
    in_shift.fn.close()
    with FiscalStorage.open(archive_path, clock) as reopened:
        result, data = reopened.execute(C.GET_FREE_MEMORY, b"")
    assert result == R.OK
    assert FreeMemoryAnswer.decode(data) == answer
