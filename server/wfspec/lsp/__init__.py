"""The language server (``wfspec serve``): pygls adapters over the analysis core.

Everything here translates between the Language Server Protocol and :mod:`wfspec.analysis`;
nothing outside this package imports pygls or lsprotocol. ``server.create_server()`` builds a
fresh server, ``server.run()`` serves it over stdio or TCP.
"""
