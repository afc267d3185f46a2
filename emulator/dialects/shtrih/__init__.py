"""The Штрих-М dialect: protocol command bodies in, answer bodies out.

``ShtrihDialect`` (in ``core``) decodes a body, checks the password, calls the
handler of the command and encodes its answer. Handlers live in one module per
concept, each exporting ``HANDLERS``, a mapping from request class to a function
``handler(dialect, request) -> answer``.
"""

from .core import ShtrihDialect

__all__ = ["ShtrihDialect"]
