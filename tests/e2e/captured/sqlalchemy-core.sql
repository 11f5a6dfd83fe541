-- Captured by tests/e2e/capture/capture.py, scenario 'sqlalchemy-core', against PostgreSQL 15.
-- Client: SQLAlchemy 1.4.46 Core with the psycopg2 dialect
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/sqlalchemy-core.trace.

-- ACTION: create_engine(postgresql://...) (psycopg2 dialect) + engine.connect() (dialect initialize on first connect)
-- c1 simple Query
BEGIN;

-- c1 simple Query
SELECT t.oid, typarray
FROM pg_type t JOIN pg_namespace ns
    ON typnamespace = ns.oid
WHERE typname = 'hstore';


-- c1 simple Query
ROLLBACK;

-- c1 simple Query
BEGIN;

-- c1 simple Query
select pg_catalog.version();

-- c1 simple Query
select current_schema();

-- c1 simple Query
show transaction isolation level;

-- c1 simple Query
show standard_conforming_strings;

-- c1 simple Query
ROLLBACK;


-- ACTION: metadata.create_all(engine) (has_table checks, CREATE TABLE, CREATE INDEX)
-- c1 simple Query
BEGIN;

-- c1 simple Query
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname='cap_sa_parent';

-- c1 simple Query
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname='cap_sa_child';

-- c1 simple Query

CREATE TABLE cap_sa_parent (
	id SERIAL NOT NULL, 
	name VARCHAR(50) NOT NULL, 
	created TIMESTAMP WITH TIME ZONE DEFAULT now(), 
	PRIMARY KEY (id), 
	UNIQUE (name)
)

;

-- c1 simple Query
COMMENT ON TABLE cap_sa_parent IS 'parents';

-- c1 simple Query

CREATE TABLE cap_sa_child (
	id BIGSERIAL NOT NULL, 
	parent_id INTEGER, 
	score NUMERIC(10, 2), 
	flag BOOLEAN, 
	payload JSON, 
	PRIMARY KEY (id), 
	CONSTRAINT cap_sa_child_score_ck CHECK (score >= 0), 
	FOREIGN KEY(parent_id) REFERENCES cap_sa_parent (id) ON DELETE CASCADE
)

;

-- c1 simple Query
CREATE INDEX cap_sa_child_score_idx ON cap_sa_child (score);

-- c1 simple Query
COMMIT;


-- ACTION: insert().values(...) single row, returning primary key
-- c1 simple Query
BEGIN;

-- c1 simple Query
INSERT INTO cap_sa_parent (name) VALUES ('p1') RETURNING cap_sa_parent.id;


-- ACTION: insert() executemany
-- c1 simple Query
INSERT INTO cap_sa_child (id, parent_id, score, flag, payload) VALUES (1, 1, 1.5, false, '{"a": 1}'),(2, 1, 2.5, false, 'null');


-- ACTION: select with join/where/order
-- c1 simple Query
SELECT cap_sa_child.id, cap_sa_parent.name 
FROM cap_sa_child JOIN cap_sa_parent ON cap_sa_child.parent_id = cap_sa_parent.id 
WHERE cap_sa_child.score > 1 ORDER BY cap_sa_child.id;


-- ACTION: update / delete
-- c1 simple Query
UPDATE cap_sa_child SET score=9 WHERE cap_sa_child.id = 1;

-- c1 simple Query
DELETE FROM cap_sa_child WHERE cap_sa_child.id = 2;

-- c1 simple Query
COMMIT;


-- ACTION: metadata.drop_all(engine)
-- c1 simple Query
BEGIN;

-- c1 simple Query
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname='cap_sa_parent';

-- c1 simple Query
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname='cap_sa_child';

-- c1 simple Query

DROP TABLE cap_sa_child;

-- c1 simple Query

DROP TABLE cap_sa_parent;

-- c1 simple Query
COMMIT;

