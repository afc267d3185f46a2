"""Settings table commands: 1Eh write a field, 1Fh read a field, 2Dh table structure,
2Eh field structure, 24h restore the factory values."""

from __future__ import annotations

from kktemu.protocol.shtrih import commands as c


def write_table(dialect, request):
    dialect.register.write_table_field(request.table, request.row, request.field, request.value)
    return c.WriteTableAnswer()


def read_table(dialect, request):
    return c.ReadTableAnswer(dialect.register.read_table_field(request.table, request.row, request.field))


def table_structure(dialect, request):
    layout = dialect.register.table_layout(request.table)
    return c.TableStructureAnswer(name=layout.name, rows=layout.rows, fields=len(layout.fields))


def field_structure(dialect, request):
    layout = dialect.register.field_layout(request.table, request.field)
    if layout.field_type == c.FieldType.BIN:
        return c.FieldStructureAnswer(layout.name, layout.field_type, layout.size, layout.minimum, layout.maximum)
    return c.FieldStructureAnswer(layout.name, layout.field_type, layout.size)


def init_tables(dialect, _request):
    dialect.register.reset_tables()
    return c.InitTablesAnswer()


HANDLERS = {
    c.WriteTableRequest: write_table,
    c.ReadTableRequest: read_table,
    c.TableStructureRequest: table_structure,
    c.FieldStructureRequest: field_structure,
    c.InitTablesRequest: init_tables,
}
