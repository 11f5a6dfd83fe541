// capture_node.js: the node-postgres and Prisma scenarios of capture.py.
// Usage: node capture_node.js pg|prisma, with DB_HOST/DB_PORT/DB_USER/DB_NAME naming the
// proxy and CAPTURE_SQL/CAPTURE_TRACE the files that "-- ACTION:" labels are appended to.
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const nodeDir = path.join(__dirname, '..', 'node');
const nodeRequire = createRequire(path.join(nodeDir, 'package.json'));
const pg = nodeRequire('pg');
const pgvector = nodeRequire('pgvector/pg');
const prismaHelper = nodeRequire('./prisma_helper.js');

const config = {
  host: process.env.DB_HOST, port: Number(process.env.DB_PORT),
  user: process.env.DB_USER, database: process.env.DB_NAME,
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function mark(action) {
  await sleep(50); // let the proxy finish logging the previous action's replies
  fs.appendFileSync(process.env.CAPTURE_SQL, `\n-- ACTION: ${action}\n`);
  fs.appendFileSync(process.env.CAPTURE_TRACE, `---------- ACTION: ${action}\n`);
}

async function scenarioPg() {
  await mark('new pg.Client(); connect()');
  const client = new pg.Client(config);
  await client.connect();
  await mark('query(text) without values (simple Query protocol)');
  await client.query('CREATE TABLE cap_node (id serial PRIMARY KEY, name text, n int8, ' +
    'f float8, at timestamptz, doc jsonb, data bytea, ok bool)');
  await mark('query(text, values) (extended: unnamed statement, text params)');
  await client.query('INSERT INTO cap_node (name, n, f, at, doc, data, ok) ' +
    'VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
  ['a', 1, 1.5, new Date(Date.UTC(2001, 1, 3)), { k: 1 }, Buffer.from([0, 255]), true]);
  await client.query('SELECT * FROM cap_node WHERE name = $1', ['a']);
  await mark('query({name, text, values}) twice (named prepared statement)');
  const named = { name: 'cap_by_id', text: 'SELECT name FROM cap_node WHERE id = $1' };
  await client.query({ ...named, values: [1] });
  await client.query({ ...named, values: [2] });
  await mark("query({text, values, rowMode: 'array'})");
  await client.query({ text: 'SELECT id, name FROM cap_node WHERE n > $1', values: [0],
    rowMode: 'array' });
  await mark('transaction: BEGIN; INSERT; ROLLBACK');
  await client.query('BEGIN');
  await client.query('INSERT INTO cap_node (name) VALUES ($1)', ['rolled back']);
  await client.query('ROLLBACK');
  await mark('error (division by zero) then a query');
  await client.query('SELECT 1/0').catch(() => {});
  await client.query('SELECT 1');
  await mark("pgvector.registerTypes(client) (SELECT typname, oid FROM pg_type ...)");
  await pgvector.registerTypes(client);
  await mark('new pg.Pool({max: 2}); pool.query; pool.connect/release; pool.end');
  const pool = new pg.Pool({ ...config, max: 2 });
  await pool.query('SELECT count(*) FROM cap_node');
  const pc = await pool.connect();
  await pc.query('SELECT $1::int AS x', [5]);
  pc.release();
  await pool.end();
  await mark('DROP TABLE; end()');
  await client.query('DROP TABLE cap_node');
  await client.end();
}

async function scenarioPrisma() {
  const { PrismaPg } = nodeRequire('@prisma/adapter-pg');
  const suffix = 'cap';
  await mark('(setup with node-postgres: CREATE TABLE for the Prisma models; prisma generate)');
  const admin = new pg.Client(config);
  await admin.connect();
  for (const sql of prismaHelper.dropTablesSql(suffix)) await admin.query(sql);
  for (const sql of prismaHelper.createTablesSql(suffix)) await admin.query(sql);
  const { PrismaClient, dir } = prismaHelper.generate(suffix);
  try {
    await mark('new PrismaClient({adapter: new PrismaPg(config)}); $connect()');
    const prisma = new PrismaClient({ adapter: new PrismaPg(config) });
    await prisma.$connect();
    await mark('user.create with nested post create');
    const user = await prisma.user.create({
      data: { email: 'a@example.com', name: 'Ann', posts: { create: [{ title: 'p1' }] } },
    });
    await mark('user.findMany({where, orderBy, include: {posts: true}})');
    await prisma.user.findMany({ where: { score: { gte: 0 } }, orderBy: { id: 'asc' },
      include: { posts: true } });
    await mark('user.findUnique({where: {email}})');
    await prisma.user.findUnique({ where: { email: 'a@example.com' } });
    await mark('user.update');
    await prisma.user.update({ where: { id: user.id }, data: { score: 2.5, name: 'Anne' } });
    await mark('post.updateMany (set, then increment) + count');
    await prisma.post.updateMany({ where: { authorId: user.id }, data: { views: 10n } });
    await prisma.post.updateMany({ where: { authorId: user.id },
      data: { views: { increment: 3 } } });
    await prisma.post.count();
    await mark('user.createMany; findMany with startsWith, lt, orderBy desc, skip, take, select');
    await prisma.user.createMany({ data: [{ email: 'u1@example.com', score: 1 },
      { email: 'u2@example.com', score: 2 }] });
    await prisma.user.findMany({ where: { email: { startsWith: 'u' }, score: { lt: 8 } },
      orderBy: { score: 'desc' }, skip: 1, take: 1, select: { email: true } });
    await mark('$transaction([...]) (interactive-less batch)');
    await prisma.$transaction([
      prisma.user.create({ data: { email: 'b@example.com' } }),
      prisma.post.create({ data: { title: 'p2', authorId: user.id } }),
    ]);
    await mark('$transaction(async (tx) => ...) rolled back by a thrown error');
    await prisma.$transaction(async (tx) => {
      await tx.user.create({ data: { email: 'c@example.com' } });
      throw new Error('roll back');
    }).catch(() => {});
    await mark('$queryRaw`SELECT ...` with a parameter');
    await prisma.$queryRaw`SELECT count(*)::int AS n FROM prisma_user_cap WHERE score >= ${0}`;
    await mark('user.delete (cascade); $disconnect()');
    await prisma.user.delete({ where: { id: user.id } });
    await prisma.$disconnect();
  } finally {
    for (const sql of prismaHelper.dropTablesSql(suffix)) await admin.query(sql);
    await admin.end();
    prismaHelper.cleanup(dir);
  }
}

const which = process.argv[2];
(which === 'pg' ? scenarioPg() : scenarioPrisma()).catch((err) => {
  console.error(err);
  process.exit(1);
});
