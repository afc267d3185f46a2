"""Modes and submodes of a Штрих-М register, and the commands each of them takes.

The mode byte of 10h/11h (appendix 1 of the v1.17 spec) comes from the register
state: 9 while a technological reset is required, 6 while a date waits for
confirmation, 10 during a test run, 8.x with a receipt open, else 2, 3 or 4
by the shift. The submode is the state of the receipt paper (appendix 1). In
modes 6, 9 and 10 the register takes only the commands that leave the mode, and
status requests.
"""

from __future__ import annotations

from kktemu.protocol.shtrih.errors import KktMode, KktSubmode, mode_byte

from ...device_state import PaperState
from ...refusals import Reason, Refusal

# Requests the register takes in every mode: status, device type and model, error names, service.
STATUS_COMMANDS = frozenset({0x10, 0x11, 0x6B, 0xF7, 0xFC, 0xFE})
# 21h is allowed while the date waits, because the vendor's fr_drv_ng driver recovers a
# register with SetDate, SetTime and ConfirmDate, in this order.
DATE_CONFIRMATION_COMMANDS = frozenset({0x21, 0x22, 0x23})
TECHNOLOGICAL_RESET = 0x16
STOP_TEST_RUN = 0x2B
# Commands that print at once with the factory settings (table 1 field 19 keeps receipt lines
# in the buffer, so 80h-83h, FF46h and 8Dh print nothing until the receipt closes). C6h
# keeps its Z report in the report buffer and prints nothing.
# NOTE: the list is kktemu's reading of the spec, not a captured device behaviour.
PRINTING_COMMANDS = frozenset({
    0x12, 0x17, 0x18, 0x19, 0x25, 0x29, 0x2C, 0x2F, 0x40, 0x41, 0x50, 0x51, 0x52, 0x53, 0x54, 0x85, 0x88,
    0x8C, 0x8E, 0xE0, 0xFF06, 0xFF0B, 0xFF34, 0xFF36, 0xFF38, 0xFF3E, 0xFF43, 0xFF45, 0xFF4A,
})
PAPER_SUBMODES = {
    PaperState.LOADED: KktSubmode.PAPER_PRESENT,
    PaperState.OUT_IDLE: KktSubmode.NO_PAPER_PASSIVE,
    PaperState.OUT_WHILE_PRINTING: KktSubmode.NO_PAPER_ACTIVE,
    PaperState.WAITING_CONTINUE: KktSubmode.AFTER_NO_PAPER,
}


def current_mode(register) -> int:
    """Return the mode byte of ``register`` (low nibble the mode, high nibble its status)."""
    device = register.device
    if device.technological_reset_required:
        return mode_byte(KktMode.TECH_RESET_ALLOWED)
    if device.pending_date is not None:
        return mode_byte(KktMode.DATE_CONFIRMATION)
    if device.test_run_period is not None:
        return mode_byte(KktMode.TEST_RUN)
    if register.receipt is not None:
        return mode_byte(KktMode.DOCUMENT_OPEN, register.receipt.receipt_type)
    if register.shift.is_open:
        return mode_byte(KktMode.SHIFT_EXPIRED if register.shift_expired() else KktMode.SHIFT_OPEN)
    return mode_byte(KktMode.SHIFT_CLOSED)


def current_submode(register) -> KktSubmode:
    """Return the submode of ``register``: the state of its receipt paper."""
    return PAPER_SUBMODES[register.paper]


def check_command(register, code: int) -> None:
    """Refuse command ``code`` when the mode or the paper does not allow it.

    Raises Refusal: 73h in modes 9 and 10 for anything but the command that
    leaves the mode, C0h in mode 6 for anything but 21h-23h, and for printing
    commands 6Bh without paper or 58h while waiting for continue printing.
    """
    device = register.device
    if code in STATUS_COMMANDS:
        return
    if device.technological_reset_required:
        if code != TECHNOLOGICAL_RESET:
            raise Refusal(Reason.NOT_IN_THIS_MODE, "the register waits for a technological reset (mode 9)")
        return
    if device.pending_date is not None:
        if code not in DATE_CONFIRMATION_COMMANDS:
            raise Refusal(Reason.DATE_NOT_CONFIRMED, f"date {device.pending_date.isoformat()} waits (mode 6)")
        return
    if device.test_run_period is not None and code != STOP_TEST_RUN:
        raise Refusal(Reason.NOT_IN_THIS_MODE, "a test run is in progress (mode 10)")
    if code in PRINTING_COMMANDS:
        register.check_printing()
