"""The register's data buffer (FF30h–FF33h) and FF64h, which passes a TLV from it to the ФН.

A host loads data longer than one frame in blocks: FF32h declares the size and
clears the buffer, FF33h writes blocks at offsets, FF30h tells how many bytes
the buffer holds and FF31h reads them back. FF64h treats a completely written
buffer as FF0Ch treats its TLVs: they join the open receipt, or wait for the
next document, and the buffer is emptied. The buffer lives in RAM, so a restart
loses it.
NOTE: javapos_shtrih (sendFDODocuments) also reads ОФД messages from this
buffer when the register exchanges with the ОФД through the driver. kktemu has
no such exchange and F7h does not announce it, so the buffer only holds what
the host wrote.
"""

from __future__ import annotations

from kktemu.protocol.fn.frame import MAX_DATA_SIZE

from .device_state import DataBuffer
from .refusals import Reason, Refusal

# NOTE: the vendor text gives no capacity. One ФН 07h frame carries at most this many
# bytes, so every TLV from the buffer can reach the ФН.
BUFFER_CAPACITY = MAX_DATA_SIZE


class BufferOperations:
    """Mixin of ``Register``: FF30h–FF33h and FF64h."""

    def start_buffer_write(self, size: int) -> None:
        """Declare ``size`` bytes of new data (FF32h), dropping what the buffer held.

        Refused with 33h for a size of 0 or above ``BUFFER_CAPACITY``.
        """
        if not 1 <= size <= BUFFER_CAPACITY:
            raise Refusal(Reason.INVALID_PARAMETER, f"buffer size {size} is not 1..{BUFFER_CAPACITY}")
        self.device.buffer = DataBuffer(bytearray(size), bytearray(size))

    def write_buffer(self, offset: int, data: bytes, max_block: int) -> None:
        """Write ``data`` into the buffer at ``offset`` (FF33h).

        Refused with 5Eh before FF32h, and with 33h for an empty block, a block
        over ``max_block`` bytes or one that ends beyond the declared size.
        """
        buffer = self.device.buffer
        if buffer is None:
            raise Refusal(Reason.WRONG_OPERATION, "FF32h must declare the data size first")
        end = offset + len(data)
        if not 1 <= len(data) <= max_block or end > len(buffer.data):
            raise Refusal(Reason.INVALID_PARAMETER,
                          f"{len(data)} bytes at {offset} do not fit a {len(buffer.data)}-byte buffer "
                          f"in blocks of up to {max_block}")
        buffer.data[offset:end] = data
        buffer.written[offset:end] = b"\x01" * len(data)

    def buffer_data(self) -> bytes:
        """Return the data of the buffer once FF33h has written all of it, else nothing."""
        buffer = self.device.buffer
        return bytes(buffer.data) if buffer is not None and buffer.complete else b""

    def read_buffer(self, offset: int, count: int, max_block: int) -> bytes:
        """Return ``count`` bytes of the buffer data from ``offset`` (FF31h).

        Refused with 34h while the buffer is empty or not completely written, and
        with 33h for 0 bytes, more than ``max_block``, or a range beyond the data.
        """
        data = self.buffer_data()
        if not data:
            raise Refusal(Reason.NO_DATA, "the buffer holds no completely written data")
        if not 1 <= count <= max_block or offset + count > len(data):
            raise Refusal(Reason.INVALID_PARAMETER,
                          f"{count} bytes at {offset} are outside the {len(data)} bytes of data")
        return data[offset:offset + count]

    def send_buffer_tlv(self) -> None:
        """Pass the buffer to the ФН as FF0Ch passes its TLVs (FF64h) and empty the buffer.

        Refused with 34h while the buffer is empty or not completely written, and
        with what ``add_tlv`` refuses; the buffer stays as it was then.
        """
        data = self.buffer_data()
        if not data:
            raise Refusal(Reason.NO_DATA, "the buffer holds no completely written data")
        self.add_tlv(data)
        self.device.buffer = None
