// test_pg.js: node-postgres (pg) against the server.
// pg sends a query without values as a simple Query and one with values through the extended
// protocol (unnamed statement, text parameters except Buffers, text results, Describe portal);
// a query with a name is prepared once per connection and then only bound. These tests check
// the values and JavaScript types that come back, a Pool under concurrency, a transaction
// rolled back, error codes, and pgvector's registerTypes when the server has the vector type
// (skipped on plain PostgreSQL). Server from DB_HOST, DB_PORT, DB_USER, DB_NAME (DB_PASSWORD).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const pg = require('pg');
const pgvector = require('pgvector/pg');

const config = {
  host: process.env.DB_HOST || '127.0.0.1',
  port: Number(process.env.DB_PORT || 5432),
  user: process.env.DB_USER || 'postgres',
  database: process.env.DB_NAME || 'postgres',
  password: process.env.DB_PASSWORD || undefined,
  connectionTimeoutMillis: 10000,
};
const suffix = `${process.pid % 100000}_${crypto.randomBytes(3).toString('hex')}`;
const table = `e2e_node_items_${suffix}`;

let client;

test.before(async () => {
  client = new pg.Client(config);
  await client.connect();
  await client.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, name text UNIQUE, n int8,
    f float8, amount numeric(12,3), at timestamptz, born date, doc jsonb, data bytea, ok bool,
    tags text[])`);
});

test.after(async () => {
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.end();
});

test.afterEach(async () => {
  await client.query(`DELETE FROM ${table}`);
});

test('simple query without values', async () => {
  const res = await client.query("SELECT 6 * 7 AS answer, 'x' || 'y' AS s, NULL::int AS z");
  assert.deepEqual(res.rows, [{ answer: 42, s: 'xy', z: null }]);
  assert.equal(res.fields[0].dataTypeID, 23);
});

test('parameterised insert and select round-trip values and types', async () => {
  const at = new Date(Date.UTC(2001, 1, 3, 4, 5, 6, 789));
  const ins = await client.query(
    `INSERT INTO ${table} (name, n, f, amount, at, doc, data, ok, tags)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    ["O'Brien \u00e9\u4e2d", '1099511627776', 1.5, '-12.345', at, { k: [1, 'two', null] },
      Buffer.from([0, 1, 255]), true, ['a', 'b,c', null]]);
  assert.equal(ins.rowCount, 1);
  const res = await client.query(`SELECT name, n, f, amount, at, doc, data, ok, tags
    FROM ${table} WHERE id = $1`, [ins.rows[0].id]);
  const row = res.rows[0];
  assert.equal(row.name, "O'Brien \u00e9\u4e2d");
  assert.equal(row.n, '1099511627776'); // int8 comes back as a string
  assert.equal(row.f, 1.5);
  assert.equal(row.amount, '-12.345'); // numeric as a string
  assert.equal(row.at.getTime(), at.getTime());
  assert.deepEqual(row.doc, { k: [1, 'two', null] });
  assert.deepEqual([...row.data], [0, 1, 255]);
  assert.equal(row.ok, true);
  assert.deepEqual(row.tags, ['a', 'b,c', null]);
});

test('named prepared statement and rowMode array', async () => {
  await client.query(`INSERT INTO ${table} (name, n) VALUES ('a', 1), ('b', 2), ('c', 3)`);
  const named = { name: `e2e_by_n_${suffix}`, text: `SELECT name FROM ${table} WHERE n > $1
    ORDER BY n` };
  assert.deepEqual((await client.query({ ...named, values: [1] })).rows.map((r) => r.name),
    ['b', 'c']);
  assert.deepEqual((await client.query({ ...named, values: [2] })).rows.map((r) => r.name),
    ['c']);
  const arr = await client.query({ text: `SELECT n, name FROM ${table} WHERE n = $1`,
    values: [3], rowMode: 'array' });
  assert.deepEqual(arr.rows, [['3', 'c']]);
});

test('transaction rolled back leaves nothing; committed one stays', async () => {
  await client.query('BEGIN');
  await client.query(`INSERT INTO ${table} (name) VALUES ($1)`, ['rolled back']);
  assert.equal((await client.query(`SELECT count(*)::int AS c FROM ${table}`)).rows[0].c, 1);
  await client.query('ROLLBACK');
  await client.query('BEGIN');
  await client.query(`INSERT INTO ${table} (name) VALUES ($1)`, ['kept']);
  await client.query('COMMIT');
  const res = await client.query(`SELECT name FROM ${table}`);
  assert.deepEqual(res.rows, [{ name: 'kept' }]);
});

test('errors carry the SQLSTATE and the connection stays usable', async () => {
  await client.query(`INSERT INTO ${table} (name) VALUES ('dup')`);
  await assert.rejects(client.query(`INSERT INTO ${table} (name) VALUES ($1)`, ['dup']),
    (err) => err.code === '23505' && err.constraint === `${table}_name_key`);
  await assert.rejects(client.query('SELECT * FROM e2e_no_such_table_xyz'),
    (err) => err.code === '42P01');
  await assert.rejects(client.query('SELECT 1/$1::int', [0]), (err) => err.code === '22012');
  assert.equal((await client.query('SELECT $1::int AS x', [5])).rows[0].x, 5);
});

test('Pool: concurrent queries, connect/release, error inside a transaction', async () => {
  const pool = new pg.Pool({ ...config, max: 3 });
  try {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      pool.query('SELECT $1::int * 2 AS x', [i])));
    assert.deepEqual(results.map((r) => r.rows[0].x), Array.from({ length: 20 }, (_, i) => i * 2));
    const conn = await pool.connect();
    try {
      await conn.query('BEGIN');
      await conn.query(`INSERT INTO ${table} (name) VALUES ('pool')`);
      await assert.rejects(conn.query(`INSERT INTO ${table} (name) VALUES ('pool')`));
      await assert.rejects(conn.query('SELECT 1'), (err) => err.code === '25P02');
      await conn.query('ROLLBACK');
    } finally {
      conn.release();
    }
    const count = await pool.query(`SELECT count(*)::int AS c FROM ${table}`);
    assert.equal(count.rows[0].c, 0);
  } finally {
    await pool.end();
  }
});

test('pgvector registerTypes and vector values when the server has the type', async (t) => {
  const found = await client.query("SELECT 1 FROM pg_type WHERE typname = 'vector'");
  if (found.rowCount === 0) {
    t.skip('the server has no vector type (plain PostgreSQL without pgvector)');
    return;
  }
  const vclient = new pg.Client(config);
  await vclient.connect();
  const vtable = `e2e_node_vec_${suffix}`;
  try {
    await pgvector.registerTypes(vclient);
    await vclient.query(`CREATE TABLE ${vtable} (id int PRIMARY KEY, embedding vector(3))`);
    await vclient.query(`INSERT INTO ${vtable} VALUES ($1, $2), ($3, $4)`,
      [1, pgvector.toSql([1, 2, 3]), 2, pgvector.toSql([10, 10, 10])]);
    const res = await vclient.query(`SELECT id, embedding FROM ${vtable}
      ORDER BY embedding <-> $1 LIMIT 1`, [pgvector.toSql([1, 2, 4])]);
    assert.deepEqual(res.rows, [{ id: 1, embedding: [1, 2, 3] }]);
  } finally {
    await vclient.query(`DROP TABLE IF EXISTS ${vtable}`);
    await vclient.end();
  }
});
