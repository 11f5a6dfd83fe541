-- vector-standin.sql: a stand-in for pgvector's `vector` type on a PostgreSQL without pgvector,
-- so that the vector code paths of the end-to-end tests (which skip when no type named vector
-- exists) and of the captures can be exercised against PostgreSQL 15 itself.
-- It is a base type (typtype 'b', like pgvector's) in schema public, built on text's internal
-- I/O functions: its text form is whatever was stored ('[1,2,3]'), its binary form is those
-- bytes (NOT pgvector's binary format: int16 dims, int16 0, float4 x dims, big-endian). A
-- typmod gives vector(3) with atttypmod 3 as in pgvector. `<->` is an L2 distance written in
-- SQL. Needs a superuser (LANGUAGE internal). Loaded by run-e2e-postgres when
-- E2E_VECTOR_STANDIN=1, and by capture/capture.py.
CREATE TYPE vector;
CREATE FUNCTION vector_in(cstring) RETURNS vector
    LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION vector_out(vector) RETURNS cstring
    LANGUAGE internal IMMUTABLE STRICT AS 'textout';
CREATE FUNCTION vector_recv(internal) RETURNS vector
    LANGUAGE internal IMMUTABLE STRICT AS 'textrecv';
CREATE FUNCTION vector_send(vector) RETURNS bytea
    LANGUAGE internal IMMUTABLE STRICT AS 'textsend';
CREATE FUNCTION vector_typmod_in(cstring[]) RETURNS int4
    LANGUAGE internal IMMUTABLE STRICT AS 'bittypmodin';
CREATE TYPE vector (INPUT = vector_in, OUTPUT = vector_out, RECEIVE = vector_recv,
    SEND = vector_send, TYPMOD_IN = vector_typmod_in, INTERNALLENGTH = VARIABLE,
    STORAGE = extended);
CREATE FUNCTION vector_l2_distance(vector, vector) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT sqrt(sum((a - b) ^ 2))
    FROM unnest(string_to_array(btrim($1::text, '[]'), ',')::float8[],
                string_to_array(btrim($2::text, '[]'), ',')::float8[]) AS t(a, b) $$;
CREATE OPERATOR <-> (LEFTARG = vector, RIGHTARG = vector, FUNCTION = vector_l2_distance,
    COMMUTATOR = OPERATOR(public.<->));
