-- Captured by tests/e2e/capture/capture.py, scenario 'prisma', against PostgreSQL 15.
-- Client: Prisma Client 7 through @prisma/adapter-pg (node-postgres underneath)
-- Each statement is the exact text the client sent. Its header gives the
-- connection (c1, c2...) and the protocol: 'simple Query' or 'extended Parse'
-- with the parameter type OIDs the client declared ([] = server infers).
-- A ';' was appended where the client sent none. Message-level detail
-- (formats, Describe, Sync, COPY) is in traces/prisma.trace.

-- ACTION: (setup with node-postgres: CREATE TABLE for the Prisma models; prisma generate)
-- c1 simple Query
DROP TABLE IF EXISTS prisma_post_cap, prisma_user_cap;

-- c1 simple Query
CREATE TABLE prisma_user_cap (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text, score double precision NOT NULL DEFAULT 0, created_at timestamptz(6) NOT NULL DEFAULT now());

-- c1 simple Query
CREATE TABLE prisma_post_cap (id serial PRIMARY KEY, title text NOT NULL, views bigint NOT NULL DEFAULT 0, author_id int NOT NULL REFERENCES prisma_user_cap(id) ON DELETE CASCADE);


-- ACTION: new PrismaClient({adapter: new PrismaPg(config)}); $connect()

-- ACTION: user.create with nested post create
-- c2 simple Query
BEGIN;

-- c2 extended Parse stmt='' param_types=[]
INSERT INTO "public"."prisma_user_cap" ("email","name","score","created_at") VALUES ($1,$2,$3,$4) RETURNING "public"."prisma_user_cap"."id";

-- c2 extended Parse stmt='' param_types=[]
INSERT INTO "public"."prisma_post_cap" ("title","views","author_id") VALUES ($1,$2,$3) RETURNING "public"."prisma_post_cap"."id";

-- c2 extended Parse stmt='' param_types=[]
SELECT "public"."prisma_user_cap"."id", "public"."prisma_user_cap"."email", "public"."prisma_user_cap"."name", "public"."prisma_user_cap"."score", "public"."prisma_user_cap"."created_at" FROM "public"."prisma_user_cap" WHERE "public"."prisma_user_cap"."id" = $1 LIMIT $2 OFFSET $3;

-- c2 simple Query
COMMIT;


-- ACTION: user.findMany({where, orderBy, include: {posts: true}})
-- c2 extended Parse stmt='' param_types=[]
SELECT "public"."prisma_user_cap"."id", "public"."prisma_user_cap"."email", "public"."prisma_user_cap"."name", "public"."prisma_user_cap"."score", "public"."prisma_user_cap"."created_at" FROM "public"."prisma_user_cap" WHERE "public"."prisma_user_cap"."score" >= $1 ORDER BY "public"."prisma_user_cap"."id" ASC OFFSET $2;

-- c2 extended Parse stmt='' param_types=[]
SELECT "public"."prisma_post_cap"."id", "public"."prisma_post_cap"."title", "public"."prisma_post_cap"."views", "public"."prisma_post_cap"."author_id" FROM "public"."prisma_post_cap" WHERE "public"."prisma_post_cap"."author_id" IN ($1) OFFSET $2;


-- ACTION: user.findUnique({where: {email}})
-- c2 extended Parse stmt='' param_types=[]
SELECT "public"."prisma_user_cap"."id", "public"."prisma_user_cap"."email", "public"."prisma_user_cap"."name", "public"."prisma_user_cap"."score", "public"."prisma_user_cap"."created_at" FROM "public"."prisma_user_cap" WHERE ("public"."prisma_user_cap"."email" = $1 AND 1=1) LIMIT $2 OFFSET $3;


-- ACTION: user.update
-- c2 extended Parse stmt='' param_types=[]
UPDATE "public"."prisma_user_cap" SET "score" = $1, "name" = $2 WHERE ("public"."prisma_user_cap"."id" = $3 AND 1=1) RETURNING "public"."prisma_user_cap"."id", "public"."prisma_user_cap"."email", "public"."prisma_user_cap"."name", "public"."prisma_user_cap"."score", "public"."prisma_user_cap"."created_at";


-- ACTION: post.updateMany (set, then increment) + count
-- c2 extended Parse stmt='' param_types=[]
UPDATE "public"."prisma_post_cap" SET "views" = $1 WHERE "public"."prisma_post_cap"."author_id" = $2;

-- c2 extended Parse stmt='' param_types=[]
UPDATE "public"."prisma_post_cap" SET "views" = ("public"."prisma_post_cap"."views" + $1) WHERE "public"."prisma_post_cap"."author_id" = $2;

-- c2 extended Parse stmt='' param_types=[]
SELECT COUNT(*) AS "_count$_all" FROM (SELECT "public"."prisma_post_cap"."id" FROM "public"."prisma_post_cap" WHERE 1=1 OFFSET $1) AS "sub";


-- ACTION: user.createMany; findMany with startsWith, lt, orderBy desc, skip, take, select
-- c2 extended Parse stmt='' param_types=[]
INSERT INTO "public"."prisma_user_cap" ("email","score","created_at") VALUES ($1,$2,$3), ($4,$5,$6);

-- c2 extended Parse stmt='' param_types=[]
SELECT "public"."prisma_user_cap"."id", "public"."prisma_user_cap"."email" FROM "public"."prisma_user_cap" WHERE ("public"."prisma_user_cap"."email"::text LIKE ($1 || '%') AND "public"."prisma_user_cap"."score" < $2) ORDER BY "public"."prisma_user_cap"."score" DESC LIMIT $3 OFFSET $4;


-- ACTION: $transaction([...]) (interactive-less batch)
-- c2 simple Query
BEGIN;

-- c2 extended Parse stmt='' param_types=[]
INSERT INTO "public"."prisma_user_cap" ("email","score","created_at") VALUES ($1,$2,$3) RETURNING "public"."prisma_user_cap"."id", "public"."prisma_user_cap"."email", "public"."prisma_user_cap"."name", "public"."prisma_user_cap"."score", "public"."prisma_user_cap"."created_at";

-- c2 extended Parse stmt='' param_types=[]
INSERT INTO "public"."prisma_post_cap" ("title","views","author_id") VALUES ($1,$2,$3) RETURNING "public"."prisma_post_cap"."id", "public"."prisma_post_cap"."title", "public"."prisma_post_cap"."views", "public"."prisma_post_cap"."author_id";

-- c2 simple Query
COMMIT;


-- ACTION: $transaction(async (tx) => ...) rolled back by a thrown error
-- c2 simple Query
BEGIN;

-- c2 extended Parse stmt='' param_types=[]
INSERT INTO "public"."prisma_user_cap" ("email","score","created_at") VALUES ($1,$2,$3) RETURNING "public"."prisma_user_cap"."id", "public"."prisma_user_cap"."email", "public"."prisma_user_cap"."name", "public"."prisma_user_cap"."score", "public"."prisma_user_cap"."created_at";

-- c2 simple Query
ROLLBACK;


-- ACTION: $queryRaw`SELECT ...` with a parameter
-- c2 extended Parse stmt='' param_types=[]
SELECT count(*)::int AS n FROM prisma_user_cap WHERE score >= $1;


-- ACTION: user.delete (cascade); $disconnect()
-- c2 extended Parse stmt='' param_types=[]
DELETE FROM "public"."prisma_user_cap" WHERE ("public"."prisma_user_cap"."id" = $1 AND 1=1) RETURNING "public"."prisma_user_cap"."id", "public"."prisma_user_cap"."email", "public"."prisma_user_cap"."name", "public"."prisma_user_cap"."score", "public"."prisma_user_cap"."created_at";

-- c1 simple Query
DROP TABLE IF EXISTS prisma_post_cap, prisma_user_cap;

