// prisma_helper.js: builds a Prisma Client for tables of a given name suffix.
// Prisma fixes table names when the client is generated, so each run writes a schema whose
// models map to its own uniquely named tables and generates a client for it under
// generated/<suffix> (git-ignored, removed by cleanup()). Generation runs offline: no schema
// engine is needed (PRISMA_SCHEMA_ENGINE_BINARY=/bin/false) because the tables are made by SQL.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

function schemaText(suffix) {
  return `generator client {
  provider = "prisma-client-js"
  output   = "./client"
}

datasource db {
  provider = "postgresql"
}

model User {
  id        Int      @id @default(autoincrement())
  email     String   @unique
  name      String?
  score     Float    @default(0)
  createdAt DateTime @default(now()) @map("created_at") @db.Timestamptz(6)
  posts     Post[]
  @@map("prisma_user_${suffix}")
}

model Post {
  id       Int     @id @default(autoincrement())
  title    String
  views    BigInt  @default(0)
  authorId Int     @map("author_id")
  author   User    @relation(fields: [authorId], references: [id], onDelete: Cascade)
  @@map("prisma_post_${suffix}")
}
`;
}

// The tables the generated client expects, made by plain SQL (Prisma Migrate is not used).
function createTablesSql(suffix) {
  return [
    `CREATE TABLE prisma_user_${suffix} (id serial PRIMARY KEY, email text NOT NULL UNIQUE, ` +
      `name text, score double precision NOT NULL DEFAULT 0, ` +
      `created_at timestamptz(6) NOT NULL DEFAULT now())`,
    `CREATE TABLE prisma_post_${suffix} (id serial PRIMARY KEY, title text NOT NULL, ` +
      `views bigint NOT NULL DEFAULT 0, author_id int NOT NULL ` +
      `REFERENCES prisma_user_${suffix}(id) ON DELETE CASCADE)`,
  ];
}

function dropTablesSql(suffix) {
  return [`DROP TABLE IF EXISTS prisma_post_${suffix}, prisma_user_${suffix}`];
}

// Generates the client and returns { PrismaClient, dir }.
function generate(suffix) {
  const dir = path.join(__dirname, 'generated', suffix);
  fs.mkdirSync(dir, { recursive: true });
  const schema = path.join(dir, 'schema.prisma');
  fs.writeFileSync(schema, schemaText(suffix));
  const cli = path.join(__dirname, 'node_modules', 'prisma', 'build', 'index.js');
  execFileSync(process.execPath, [cli, 'generate', '--schema', schema], {
    cwd: __dirname,
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false',
           PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { PrismaClient } = require(path.join(dir, 'client'));
  return { PrismaClient, dir };
}

function cleanup(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
}

module.exports = { generate, cleanup, createTablesSql, dropTablesSql };
