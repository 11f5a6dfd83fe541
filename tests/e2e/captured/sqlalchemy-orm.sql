-- Captured by tests/e2e/capture/capture.py, scenario 'sqlalchemy-orm', against PostgreSQL 15.
-- Client: SQLAlchemy 1.4.46 ORM (Session), psycopg2 dialect
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/sqlalchemy-orm.trace.

-- ACTION: Base.metadata.create_all(engine)
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

-- c1 simple Query
BEGIN;

-- c1 simple Query
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname='cap_orm_owner';

-- c1 simple Query
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname='cap_orm_pet';

-- c1 simple Query

CREATE TABLE cap_orm_owner (
	id SERIAL NOT NULL, 
	name VARCHAR(40) NOT NULL, 
	PRIMARY KEY (id)
)

;

-- c1 simple Query

CREATE TABLE cap_orm_pet (
	id SERIAL NOT NULL, 
	owner_id INTEGER, 
	kind VARCHAR(20), 
	PRIMARY KEY (id), 
	FOREIGN KEY(owner_id) REFERENCES cap_orm_owner (id)
)

;

-- c1 simple Query
COMMIT;


-- ACTION: session.add_all + commit (INSERT ... RETURNING id, executemany of children)
-- c1 simple Query
BEGIN;

-- c1 simple Query
INSERT INTO cap_orm_owner (name) VALUES ('o1'),('o2') RETURNING cap_orm_owner.id;

-- c1 simple Query
INSERT INTO cap_orm_pet (owner_id, kind) VALUES (1, 'cat'),(1, 'dog') RETURNING cap_orm_pet.id;

-- c1 simple Query
COMMIT;


-- ACTION: session.execute(select(Owner).where(...)).scalars(); lazy load pets
-- c1 simple Query
BEGIN;

-- c1 simple Query
SELECT cap_orm_owner.id, cap_orm_owner.name 
FROM cap_orm_owner 
WHERE cap_orm_owner.name = 'o1';

-- c1 simple Query
SELECT cap_orm_pet.id AS cap_orm_pet_id, cap_orm_pet.owner_id AS cap_orm_pet_owner_id, cap_orm_pet.kind AS cap_orm_pet_kind 
FROM cap_orm_pet 
WHERE 1 = cap_orm_pet.owner_id;


-- ACTION: modify attribute + commit (UPDATE)
-- c1 simple Query
UPDATE cap_orm_owner SET name='o1b' WHERE cap_orm_owner.id = 1;

-- c1 simple Query
COMMIT;


-- ACTION: session.delete + commit (DELETE children then parent)
-- c1 simple Query
BEGIN;

-- c1 simple Query
SELECT cap_orm_owner.id AS cap_orm_owner_id, cap_orm_owner.name AS cap_orm_owner_name 
FROM cap_orm_owner 
WHERE cap_orm_owner.id = 1;

-- c1 simple Query
SELECT cap_orm_pet.id AS cap_orm_pet_id, cap_orm_pet.owner_id AS cap_orm_pet_owner_id, cap_orm_pet.kind AS cap_orm_pet_kind 
FROM cap_orm_pet 
WHERE 1 = cap_orm_pet.owner_id;

-- c1 simple Query
DELETE FROM cap_orm_pet WHERE cap_orm_pet.id = 1;

-- c1 simple Query
DELETE FROM cap_orm_pet WHERE cap_orm_pet.id = 2;

-- c1 simple Query
DELETE FROM cap_orm_owner WHERE cap_orm_owner.id = 1;

-- c1 simple Query
COMMIT;


-- ACTION: session.get(Owner, id) / query().filter_by().count()
-- c1 simple Query
BEGIN;

-- c1 simple Query
SELECT count(*) AS count_1 
FROM (SELECT cap_orm_owner.id AS cap_orm_owner_id, cap_orm_owner.name AS cap_orm_owner_name 
FROM cap_orm_owner 
WHERE cap_orm_owner.name = 'o2') AS anon_1;

-- c1 simple Query
ROLLBACK;


-- ACTION: drop_all
-- c1 simple Query
BEGIN;

-- c1 simple Query
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname='cap_orm_owner';

-- c1 simple Query
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname='cap_orm_pet';

-- c1 simple Query

DROP TABLE cap_orm_pet;

-- c1 simple Query

DROP TABLE cap_orm_owner;

-- c1 simple Query
COMMIT;

