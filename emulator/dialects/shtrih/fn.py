"""ФН commands of the Штрих-М protocol: FF01h ФН status."""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c


def fn_status(dialect, _request):
    status = dialect.register.fn.status()
    return c.FnStatusAnswer(
        phase=status.phase,
        current_document=status.current_document,
        document_data_received=status.has_document_data,
        shift_open=status.shift_open,
        warnings=status.warnings,
        document_datetime=status.last_document_time,
        fn_number=status.serial,
        last_document_number=status.last_fd_number,
    )


HANDLERS = {
    c.FnStatusRequest: fn_status,
}
