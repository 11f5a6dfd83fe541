// test_prisma.js: Prisma Client through @prisma/adapter-pg against the server.
// The tables are made by SQL (Prisma Migrate is not used); a client is generated for this
// run's uniquely named tables (prisma_helper.js). The adapter runs Prisma's SQL through
// node-postgres: schema-qualified names ("public"."table"), LIMIT/OFFSET as parameters,
// RETURNING, BEGIN/COMMIT/ROLLBACK as simple queries, text results it converts by type OID
// (timestamptz values are read as UTC). These tests check create/findMany/findUnique/update/
// delete/count and both kinds of $transaction. Server from DB_HOST, DB_PORT, DB_USER, DB_NAME.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const pg = require('pg');
const { PrismaPg } = require('@prisma/adapter-pg');
const helper = require('./prisma_helper');

const config = {
  host: process.env.DB_HOST || '127.0.0.1',
  port: Number(process.env.DB_PORT || 5432),
  user: process.env.DB_USER || 'postgres',
  database: process.env.DB_NAME || 'postgres',
  password: process.env.DB_PASSWORD || undefined,
  connectionTimeoutMillis: 10000,
};
const suffix = `${process.pid % 100000}_${crypto.randomBytes(3).toString('hex')}`;

let admin;
let generated;
let prisma;

test.before(async () => {
  admin = new pg.Client(config);
  await admin.connect();
  for (const sql of helper.createTablesSql(suffix)) await admin.query(sql);
  generated = helper.generate(suffix);
  prisma = new generated.PrismaClient({ adapter: new PrismaPg(config) });
  await prisma.$connect();
});

test.after(async () => {
  if (prisma) await prisma.$disconnect();
  for (const sql of helper.dropTablesSql(suffix)) await admin.query(sql);
  await admin.end();
  if (generated) helper.cleanup(generated.dir);
});

test('create with nested create, then findMany with include', async () => {
  const created = await prisma.user.create({
    data: { email: 'ann@example.com', name: 'Ann', posts: { create: [{ title: 'p1' },
      { title: 'p2', views: 5n }] } },
    include: { posts: { orderBy: { id: 'asc' } } },
  });
  assert.equal(created.email, 'ann@example.com');
  assert.deepEqual(created.posts.map((p) => [p.title, p.views]), [['p1', 0n], ['p2', 5n]]);
  assert.ok(created.createdAt instanceof Date);
  assert.ok(Math.abs(created.createdAt.getTime() - Date.now()) < 10 * 60 * 1000,
    'createdAt is read back as the instant it was written (UTC)');
  const users = await prisma.user.findMany({ where: { score: { gte: 0 } },
    orderBy: { id: 'asc' }, include: { posts: true } });
  assert.equal(users.length, 1);
  assert.equal(users[0].posts.length, 2);
});

test('findUnique, update, updateMany, count', async () => {
  const user = await prisma.user.create({ data: { email: 'bob@example.com' } });
  const found = await prisma.user.findUnique({ where: { email: 'bob@example.com' } });
  assert.equal(found.id, user.id);
  assert.equal(found.name, null);
  const updated = await prisma.user.update({ where: { id: user.id },
    data: { score: 2.5, name: 'Bob' } });
  assert.deepEqual([updated.name, updated.score], ['Bob', 2.5]);
  await prisma.post.createMany({ data: [{ title: 'x', authorId: user.id },
    { title: 'y', authorId: user.id }] });
  const res = await prisma.post.updateMany({ where: { authorId: user.id },
    data: { views: { increment: 3 } } });
  assert.equal(res.count, 2);
  assert.equal(await prisma.post.count({ where: { authorId: user.id, views: 3n } }), 2);
  assert.equal(await prisma.user.findUnique({ where: { email: 'nobody@example.com' } }), null);
});

test('findMany with filters, ordering, skip and take', async () => {
  await prisma.user.createMany({ data: Array.from({ length: 10 }, (_, i) => (
    { email: `u${i}@example.com`, score: i })) });
  const page = await prisma.user.findMany({ where: { email: { startsWith: 'u' },
    score: { lt: 8 } }, orderBy: { score: 'desc' }, skip: 2, take: 3,
  select: { email: true, score: true } });
  assert.deepEqual(page, [{ email: 'u5@example.com', score: 5 },
    { email: 'u4@example.com', score: 4 }, { email: 'u3@example.com', score: 3 }]);
});

test('batch $transaction commits; interactive $transaction rolls back on error', async () => {
  const [u] = await prisma.$transaction([
    prisma.user.create({ data: { email: 'tx1@example.com' } }),
    prisma.user.create({ data: { email: 'tx2@example.com' } }),
  ]);
  assert.ok(u.id > 0);
  await assert.rejects(prisma.$transaction(async (tx) => {
    await tx.user.create({ data: { email: 'gone@example.com' } });
    throw new Error('roll back');
  }), /roll back/);
  assert.equal(await prisma.user.count({ where: { email: 'gone@example.com' } }), 0);
  await assert.rejects(prisma.user.create({ data: { email: 'tx1@example.com' } }),
    (err) => err.code === 'P2002');
});

test('delete cascades to posts; $queryRaw with a parameter', async () => {
  const user = await prisma.user.create({ data: { email: 'del@example.com',
    posts: { create: [{ title: 'gone' }] } } });
  await prisma.user.delete({ where: { id: user.id } });
  assert.equal(await prisma.post.count({ where: { title: 'gone' } }), 0);
  const table = `prisma_user_${suffix}`;
  const rows = await prisma.$queryRawUnsafe(
    `SELECT count(*)::int AS n FROM ${table} WHERE email = $1`, 'del@example.com');
  assert.deepEqual(rows, [{ n: 0 }]);
});
