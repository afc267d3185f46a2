"""Status and identity: 10h short status, 11h long status, FCh device type."""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c

from ...device_state import PaperState
from . import modes

# "Флаги ККТ" of 10h/11h for a ШТРИХ-М-01Ф with paper loaded: receipt roll present,
# receipt optical sensor sees paper, receipt head lever down.
PAPER_LOADED_FLAGS = c.KktFlags.RECEIPT_ROLL | c.KktFlags.RECEIPT_OPTICAL_SENSOR | c.KktFlags.RECEIPT_HEAD_LEVER_DOWN
# Without paper the roll and optical sensor bits are clear; the head lever stays down.
PAPER_OUT_FLAGS = c.KktFlags.RECEIPT_HEAD_LEVER_DOWN
# 11h "Флаги ФП": bit 0 ФП 1 present, bit 2 licence entered, bit 6 shift open, bit 7 24 hours over.
FP_PRESENT_AND_LICENSED = 0x05
FP_SHIFT_OPEN = 0x40
FP_SHIFT_EXPIRED = 0x80
# Table 1 field 1 "НОМЕР КАССЫ В МАГАЗИНЕ", which 11h reports as the number in the hall.
HALL_NUMBER_FIELD = (1, 1, 1)
# 10h voltage bytes as a ШТРИХ-М-01Ф reports them on mains power (raw ADC units).
BATTERY_VOLTAGE = 0x9F
POWER_VOLTAGE = 0xC6


def printer_flags(register) -> int:
    """Return the "Флаги ККТ" of 10h and 11h for the paper state of ``register``."""
    if register.paper in (PaperState.OUT_IDLE, PaperState.OUT_WHILE_PRINTING):
        return PAPER_OUT_FLAGS
    return PAPER_LOADED_FLAGS


def short_status(dialect, request):
    receipt = dialect.register.receipt
    return c.ShortStatusAnswer(
        operator=request.password,
        flags=printer_flags(dialect.register),
        mode=dialect.mode(),
        submode=modes.current_submode(dialect.register),
        receipt_operations=len(receipt.receipt.items) if receipt else 0,
        battery_voltage=BATTERY_VOLTAGE,
        power_voltage=POWER_VOLTAGE,
    )


def long_status(dialect, request):
    register = dialect.register
    profile = register.profile
    now = register.now()
    shift = register.shift
    fp_flags = FP_PRESENT_AND_LICENSED
    if shift.is_open:
        fp_flags |= FP_SHIFT_OPEN
    if register.shift_expired():
        fp_flags |= FP_SHIFT_EXPIRED
    expiry = register.fn.expiry()
    serial = int(register.identity.kkt_serial)
    # In mode 6 the date field shows the date waiting for 23h: javapos_shtrih confirms the
    # date it reads here (SMFiscalPrinterImpl.checkEcrMode).
    date = register.pending_date or now.date()
    return c.LongStatusAnswer(
        operator=request.password,
        firmware_version=profile.firmware_version,
        firmware_build=profile.firmware_build,
        firmware_date=profile.firmware_date,
        hall_number=register.table_value(*HALL_NUMBER_FIELD),
        document_number=register.document_number % 10000,
        flags=printer_flags(register),
        mode=dialect.mode(),
        submode=modes.current_submode(register),
        port=dialect.port_number,
        fm_firmware_version=profile.firmware_version,
        fm_firmware_build=profile.firmware_build,
        fm_firmware_date=profile.firmware_date,
        date=date,
        time=now.time().replace(microsecond=0),
        fm_flags=fp_flags,
        serial_number=serial & 0xFFFFFFFF,
        last_closed_shift=shift.number - 1 if shift.is_open else shift.number,
        # Records left in the pre-ФН fiscal memory: a ФН register has none.
        fm_free_records=0,
        registrations=expiry.registrations_done,
        registrations_left=expiry.registrations_left,
        inn=int(register.identity.inn),
        serial_number_high=(serial >> 32) & 0xFFFF,
    )


def device_type(dialect, _request):
    profile = dialect.register.profile
    return c.DeviceTypeAnswer(
        device_type=0,
        device_subtype=0,
        protocol_version=profile.protocol_version,
        protocol_subversion=profile.protocol_subversion,
        model=profile.model_id,
        language=0,
        name=profile.device_name,
    )


HANDLERS = {
    c.ShortStatusRequest: short_status,
    c.LongStatusRequest: long_status,
    c.DeviceTypeRequest: device_type,
}
