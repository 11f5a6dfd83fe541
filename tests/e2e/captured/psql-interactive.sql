-- Captured by tests/e2e/capture/capture.py, scenario 'psql-interactive', against PostgreSQL 15.
-- Client: psql 15 started on a terminal (startup differs: client_encoding=auto)
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/psql-interactive.trace.

-- ACTION: interactive psql on a terminal: start, one query, \q
-- c1 simple Query
select 1 as one;

