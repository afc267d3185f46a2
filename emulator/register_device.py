"""Device operations of the register: technological reset, test run, paper faults, exchange
parameters, cash drawer, paper feed, document header and the copy of the last receipt."""

from __future__ import annotations

import copy
import logging

from kktemu.protocol.fn.service import CurrentDocument

from .device_state import RESET_REQUIRED_KEY, DeviceState, PaperState
from .refusals import Reason, Refusal

logger = logging.getLogger(__name__)

TCP_PORT = 128
# NOTE: the ports and speeds of a ШТРИХ-М-01Ф are a guess: ports 0 and 1 (RS-232 and the
# USB virtual COM port) at 2400..115200 baud (codes 0..6), and 128, the TCP socket.
SERIAL_PORTS = (0, 1)
MAX_SPEED_CODE = 6
# The spec's factory settings: 115200 baud (code 6) with a 100 ms byte timeout on the
# serial ports, TCP port code 57 (socket 12345) on port 128.
DEFAULT_EXCHANGE = {0: (6, 100), 1: (6, 100), TCP_PORT: (57, 0)}
DRAWERS = (0, 1)
TEST_RUN_PERIODS = range(1, 100)
# Memory entries a technological reset keeps: the ФН document the memory has accounted
# for (so documents are not replayed twice) and the clock, which runs on its own battery.
KEPT_BY_TECHNOLOGICAL_RESET = ("last_fd", "clock_offset")


class DeviceOperations:
    """Mixin of ``Register``: operations of the register hardware, and faults tests inject."""

    # Restart (FEh F3h).

    def reboot(self) -> None:
        """Restart the register as a power cycle would: RAM state is lost, the memory stays.

        A document open in the ФН is cancelled, as ``Register.start`` does, and so
        are the open receipt, a begun report and host TLVs kept for the next
        document. The paper and a required technological reset stay as they are.
        """
        if self.fn.status().current_document != CurrentDocument.NONE:
            self.fn.cancel_document()
        self._receipt = None
        self._pending_tlv.clear()
        # The split-document state of ``register_fn`` lives in RAM too.
        self._begun_report = None
        self._tlv_reading = None
        self.device = DeviceState(technological_reset_required=self.device.technological_reset_required,
                                  paper=self.device.paper)
        logger.info("register restarted by FEh F3h")

    # Technological reset (mode 9).

    def require_technological_reset(self) -> None:
        """Put the register in mode 9, as after its memory was found corrupted at power-on.

        The register memory keeps the mode across restarts until 16h. A journal
        that cannot be written is logged, and the mode then lasts until the
        next restart.
        """
        self.device.technological_reset_required = True
        self.memory.state[RESET_REQUIRED_KEY] = True
        try:
            self._save(durable=True)
        except OSError as exc:
            logger.error("cannot save the register memory to %s: %s", self.memory.path, exc)
        logger.warning("the register waits for a technological reset (mode 9)")

    def technological_reset(self) -> None:
        """Clear the register memory (tables, registers, drawer, document counter); never the ФН.

        Only allowed in mode 9; refused with 73h otherwise, and with 74h when the
        memory cannot be saved.
        """
        if not self.device.technological_reset_required:
            raise Refusal(Reason.NOT_IN_THIS_MODE, "a technological reset needs mode 9")
        previous = copy.deepcopy(self.memory.state)
        kept = {key: self.memory.state[key] for key in KEPT_BY_TECHNOLOGICAL_RESET if key in self.memory.state}
        self.memory.state.clear()
        self.memory.state.update(kept)
        self._save_or_restore(previous)
        self.device.technological_reset_required = False
        self.device.last_receipt_fd = None
        logger.info("technological reset: register memory cleared, ФН untouched")

    # Test run (mode 10).

    def start_test_run(self, period: int) -> None:
        """Start a test run printing every ``period`` minutes (1..99, else 33h) until ``stop_test_run``."""
        self._require_no_receipt()
        if period not in TEST_RUN_PERIODS:
            raise Refusal(Reason.INVALID_PARAMETER, f"test run period {period} minutes")
        previous = copy.deepcopy(self.memory.state)
        self.counters.count_test_run()
        self._save_or_restore(previous)
        self.device.test_run_period = period
        self.journal.append(f"TEST RUN every {period} min")

    def stop_test_run(self) -> None:
        """Stop the test run. Refused with 73h when none runs."""
        if self.device.test_run_period is None:
            raise Refusal(Reason.NOT_IN_THIS_MODE, "no test run")
        self.device.test_run_period = None

    # Paper (submodes 0-3).

    @property
    def paper(self) -> PaperState:
        """The state of the receipt paper."""
        return self.device.paper

    def paper_out(self, while_printing: bool = False) -> None:
        """Take the paper out: idle (submode 1), or in the middle of printing (submode 2)."""
        self.device.paper = PaperState.OUT_WHILE_PRINTING if while_printing else PaperState.OUT_IDLE

    def paper_loaded(self) -> None:
        """Load paper. After paper ran out while printing the register waits for continue printing."""
        if self.device.paper is PaperState.OUT_WHILE_PRINTING:
            self.device.paper = PaperState.WAITING_CONTINUE
        else:
            self.device.paper = PaperState.LOADED

    def interrupt_printing(self) -> None:
        """Leave the register waiting for continue printing (submode 3), as after a paper break."""
        self.device.paper = PaperState.WAITING_CONTINUE

    def continue_printing(self) -> None:
        """Finish an interrupted printout (B0h). Refused with 6Bh while there is no paper."""
        if self.device.paper in (PaperState.OUT_IDLE, PaperState.OUT_WHILE_PRINTING):
            raise Refusal(Reason.NO_PAPER)
        if self.device.paper is PaperState.WAITING_CONTINUE:
            self.journal.append("PRINTING CONTINUED")
        self.device.paper = PaperState.LOADED

    def check_printing(self) -> None:
        """Refuse a printing command: 6Bh without paper, 58h while waiting for continue printing."""
        if self.device.paper in (PaperState.OUT_IDLE, PaperState.OUT_WHILE_PRINTING):
            raise Refusal(Reason.NO_PAPER)
        if self.device.paper is PaperState.WAITING_CONTINUE:
            raise Refusal(Reason.WAITING_CONTINUE_PRINTING)

    # Exchange parameters (14h, 15h).

    def exchange_parameters(self, port: int) -> tuple[int, int]:
        """Return ``(speed code, byte timeout code)`` of ``port``. Raises Refusal 33h for another port."""
        if port not in DEFAULT_EXCHANGE:
            raise Refusal(Reason.INVALID_PARAMETER, f"port {port}")
        stored = self.memory.state.get("exchange", {}).get(str(port))
        return tuple(stored) if stored else DEFAULT_EXCHANGE[port]

    def set_exchange_parameters(self, port: int, speed: int, byte_timeout: int) -> None:
        """Store the exchange parameters of ``port``.

        ``speed`` is a baud rate code 0..6 for serial ports and a TCP port code
        (0..255) for port 128. kktemu's transports keep their own settings.
        Raises Refusal 33h for another port or speed, 74h when the memory
        cannot be saved.
        """
        if port not in DEFAULT_EXCHANGE:
            raise Refusal(Reason.INVALID_PARAMETER, f"port {port}")
        if port in SERIAL_PORTS and speed > MAX_SPEED_CODE:
            raise Refusal(Reason.INVALID_PARAMETER, f"speed code {speed} on port {port}")
        previous = copy.deepcopy(self.memory.state)
        self.memory.state.setdefault("exchange", {})[str(port)] = [speed, byte_timeout]
        self._save_or_restore(previous)

    # Printer and drawer.

    def open_drawer(self, drawer: int) -> None:
        """Pulse cash drawer 0 or 1 (else 33h)."""
        if drawer not in DRAWERS:
            raise Refusal(Reason.INVALID_PARAMETER, f"cash drawer {drawer}")
        self.journal.append(f"CASH DRAWER {drawer} OPENED")

    def feed(self, lines: int) -> None:
        """Feed the paper by 1..255 lines (0 is refused with 33h)."""
        if lines == 0:
            raise Refusal(Reason.INVALID_PARAMETER, "feed 0 lines")
        self.journal.extend([""] * lines)

    def print_document_header(self, title: str, number: int) -> int:
        """Print a document header (18h) and count a document; return the new document number."""
        self._require_no_receipt()
        previous = copy.deepcopy(self.memory.state)
        self.document_number += 1
        self._save_or_restore(previous)
        self.journal.append(f"{title.strip()} No {number}")
        return self.document_number

    def repeat_document(self) -> None:
        """Print a copy of the last receipt formed since power-on. Refused with 56h when there is none."""
        self._require_no_receipt()
        if self.device.last_receipt_fd is None:
            raise Refusal(Reason.NO_DOCUMENT_TO_REPEAT)
        self.journal.append(f"COPY OF ФД {self.device.last_receipt_fd}")
