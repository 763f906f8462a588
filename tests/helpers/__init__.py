"""What the tests share, written once and imported as ``from helpers.<module> import ...``.

``pyproject.toml`` puts ``tests/`` on ``sys.path`` (``pythonpath``), so no test needs path
tricks. One module per kind of thing: ``clock`` (the one test clock), ``images`` (the one PNG
builder), ``builders`` (a library with a process and its steps), ``video`` (make and decode
MP4s), ``database`` (SQLite and PostgreSQL back-ends), ``postgres``, ``xvfb`` and ``fakes``
(stand-ins for a desktop). Plugins loaded by tests/conftest.py: ``logfail`` (a logged ERROR
fails the test), ``watchdog`` (names a test hung where the timeout cannot reach) and
``coverage_floors`` (``--cov-floor core=96``). docs/TESTING.md tells the whole story.
"""
