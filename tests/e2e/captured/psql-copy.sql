-- Captured by tests/e2e/capture/capture.py, scenario 'psql-copy', against PostgreSQL 15.
-- Client: psql 15 \copy (COPY ... FROM STDIN / TO STDOUT, text and csv)
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/psql-copy.trace.

-- ACTION: psql -c 'CREATE TABLE cap_copy ...'
-- c1 simple Query
CREATE TABLE cap_copy (id int PRIMARY KEY, name text, score float8, note text);


-- ACTION: psql \copy cap_copy FROM file (text format)
-- c2 simple Query
COPY  cap_copy FROM STDIN ;


-- ACTION: psql \copy cap_copy FROM file WITH (FORMAT csv, HEADER)
-- c3 simple Query
COPY  cap_copy FROM STDIN WITH (FORMAT csv, HEADER);


-- ACTION: psql \copy cap_copy TO file (text format)
-- c4 simple Query
COPY  cap_copy TO STDOUT ;


-- ACTION: psql \copy (SELECT ...) TO STDOUT WITH CSV HEADER
-- c5 simple Query
COPY  ( SELECT id, name FROM cap_copy ORDER BY id ) TO STDOUT WITH CSV HEADER;


-- ACTION: psql \copy cap_copy FROM STDIN (data on psql's stdin)
-- c6 simple Query
COPY  cap_copy FROM STDIN ;

