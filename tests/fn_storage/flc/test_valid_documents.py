"""The valid documents of these tests pass the control, so every other test breaks one rule only."""

from __future__ import annotations

import pytest

FORMS = (1, 11, 2, 5, 21, 6, 3, 4, 31, 41)


@pytest.mark.parametrize("form", FORMS)
def test_valid_document_passes(docs, form, version):
    assert docs.check(docs.valid_document(form, version), form, version) is None
