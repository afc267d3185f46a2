"""Wire formats of kktemu, sans-IO: bytes in, typed values or events out, bytes back.

Nothing here opens sockets or files, reads clocks or logs. Subpackages:
``ffd`` (ФФД TLV documents), ``shtrih`` (Штрих-М protocol v1), ``fn`` (ФН interface).
"""
