#!/usr/bin/python3
"""test_sqlalchemy.py: SQLAlchemy 1.4 Core and ORM (psycopg2 dialect) against the server.

On its first connection SQLAlchemy runs its dialect initialisation (version(), current_schema(),
SHOW standard_conforming_strings, the hstore OID probe); create_all checks each table with a
pg_class query before CREATE TABLE; inspect() reflects tables through pg_catalog (see
captured/sqlalchemy-reflection.sql). These tests create uniquely named tables with
create_all, insert/select/update/delete through Core and the ORM, and compare what reflection
reports (columns, types, nullability, defaults, keys, indexes) with what was declared.
"""

import decimal
import unittest

import sqlalchemy as sa
from sqlalchemy.orm import Session, declarative_base, relationship

import e2e_common as common


def declare(sfx):
    md = sa.MetaData()
    parent = sa.Table(f"e2e_sa_parent_{sfx}", md,
                      sa.Column("id", sa.Integer, primary_key=True),
                      sa.Column("name", sa.String(50), nullable=False, unique=True),
                      sa.Column("created", sa.DateTime(timezone=True),
                                server_default=sa.func.now()))
    child = sa.Table(f"e2e_sa_child_{sfx}", md,
                     sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
                     sa.Column("parent_id", sa.Integer,
                               sa.ForeignKey(parent.c.id, ondelete="CASCADE"), nullable=False),
                     sa.Column("score", sa.Numeric(10, 2)),
                     sa.Column("flag", sa.Boolean, nullable=False, server_default=sa.false()),
                     sa.Column("note", sa.Text),
                     sa.Column("payload", sa.JSON),
                     sa.Index(f"e2e_sa_child_score_{sfx}", "score"))
    return md, parent, child


class SqlAlchemyCoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.engine = sa.create_engine(common.sqlalchemy_url(), future=True)
        cls.sfx = common.suffix()
        cls.md, cls.parent, cls.child = declare(cls.sfx)
        cls.md.create_all(cls.engine)

    @classmethod
    def tearDownClass(cls):
        cls.md.drop_all(cls.engine)
        cls.engine.dispose()

    def tearDown(self):
        with self.engine.begin() as conn:
            conn.execute(self.child.delete())
            conn.execute(self.parent.delete())

    def test_dialect_initialised_from_the_server(self):
        with self.engine.connect() as conn:
            self.assertGreaterEqual(self.engine.dialect.server_version_info, (9, 0))
            self.assertEqual(conn.execute(sa.text("select current_schema()")).scalar(),
                             "public")

    def test_insert_select_update_delete(self):
        p, c = self.parent, self.child
        with self.engine.begin() as conn:
            pid = conn.execute(p.insert().values(name="p1").returning(p.c.id)).scalar_one()
            conn.execute(c.insert(), [  # executemany: every row names the same columns
                {"id": 1, "parent_id": pid, "score": decimal.Decimal("1.50"), "flag": False,
                 "note": None, "payload": {"a": [1, 2]}},
                {"id": 2, "parent_id": pid, "score": decimal.Decimal("2.25"), "flag": False,
                 "note": "x", "payload": None},
                {"id": 3, "parent_id": pid, "score": None, "flag": True, "note": None,
                 "payload": None}])
        with self.engine.begin() as conn:
            rows = conn.execute(sa.select(c.c.id, c.c.score, c.c.flag, c.c.payload, p.c.name)
                                .join(p, c.c.parent_id == p.c.id)
                                .where(c.c.score > sa.bindparam("min"))
                                .order_by(c.c.id), {"min": 1}).all()
            self.assertEqual([tuple(r) for r in rows],
                             [(1, decimal.Decimal("1.50"), False, {"a": [1, 2]}, "p1"),
                              (2, decimal.Decimal("2.25"), False, None, "p1")])
            res = conn.execute(c.update().where(c.c.id == 1).values(score=c.c.score * 2))
            self.assertEqual(res.rowcount, 1)
            res = conn.execute(c.delete().where(c.c.score.is_(None)))
            self.assertEqual(res.rowcount, 1)
            total = conn.execute(sa.select(sa.func.sum(c.c.score), sa.func.count())).one()
            self.assertEqual(tuple(total), (decimal.Decimal("5.25"), 2))
            created = conn.execute(sa.select(p.c.created)).scalar_one()
            self.assertIsNotNone(created.tzinfo)

    def test_rollback_on_error(self):
        with self.assertRaises(sa.exc.IntegrityError):
            with self.engine.begin() as conn:
                conn.execute(self.parent.insert().values(name="dup"))
                conn.execute(self.parent.insert().values(name="dup"))
        with self.engine.connect() as conn:
            self.assertEqual(conn.execute(sa.select(sa.func.count())
                                          .select_from(self.parent)).scalar(), 0)

    def test_has_table_and_table_names(self):
        insp = sa.inspect(self.engine)
        self.assertTrue(insp.has_table(self.child.name))
        self.assertFalse(insp.has_table(f"e2e_sa_missing_{self.sfx}"))
        self.assertIn(self.parent.name, insp.get_table_names())

    def test_reflected_columns_match_the_declaration(self):
        cols = sa.inspect(self.engine).get_columns(self.child.name)
        summary = [(c["name"], type(c["type"]).__name__, c["nullable"]) for c in cols]
        self.assertEqual(summary, [("id", "BIGINT", False), ("parent_id", "INTEGER", False),
                                   ("score", "NUMERIC", True), ("flag", "BOOLEAN", False),
                                   ("note", "TEXT", True), ("payload", "JSON", True)])
        score = cols[2]["type"]
        self.assertEqual((score.precision, score.scale), (10, 2))
        self.assertEqual(cols[3]["default"], "false")
        parent_cols = sa.inspect(self.engine).get_columns(self.parent.name)
        self.assertEqual(parent_cols[0]["default"],
                         f"nextval('{self.parent.name}_id_seq'::regclass)")
        self.assertEqual(parent_cols[1]["type"].length, 50)
        self.assertTrue(parent_cols[2]["type"].timezone)
        self.assertEqual(parent_cols[2]["default"], "now()")

    def test_reflected_keys_and_indexes(self):
        insp = sa.inspect(self.engine)
        self.assertEqual(insp.get_pk_constraint(self.child.name)["constrained_columns"], ["id"])
        fks = insp.get_foreign_keys(self.child.name)
        self.assertEqual(len(fks), 1)
        self.assertEqual((fks[0]["constrained_columns"], fks[0]["referred_table"],
                          fks[0]["referred_columns"], fks[0]["options"].get("ondelete")),
                         (["parent_id"], self.parent.name, ["id"], "CASCADE"))
        indexes = insp.get_indexes(self.child.name)
        self.assertEqual([(i["name"], i["column_names"], i["unique"]) for i in indexes],
                         [(f"e2e_sa_child_score_{self.sfx}", ["score"], False)])
        uniques = insp.get_unique_constraints(self.parent.name)
        self.assertEqual([u["column_names"] for u in uniques], [["name"]])

    def test_autoload_table(self):
        table = sa.Table(self.child.name, sa.MetaData(), autoload_with=self.engine)
        self.assertEqual(list(table.c.keys()),
                         ["id", "parent_id", "score", "flag", "note", "payload"])
        self.assertEqual([c.name for c in table.primary_key], ["id"])
        self.assertEqual(len(table.foreign_keys), 1)


class SqlAlchemyOrmTest(unittest.TestCase):
    def setUp(self):
        sfx = common.suffix()
        base = declarative_base()

        class Owner(base):
            __tablename__ = f"e2e_orm_owner_{sfx}"
            id = sa.Column(sa.Integer, primary_key=True)
            name = sa.Column(sa.String(40), nullable=False)
            pets = relationship("Pet", back_populates="owner", cascade="all, delete-orphan",
                                order_by="Pet.id")

        class Pet(base):
            __tablename__ = f"e2e_orm_pet_{sfx}"
            id = sa.Column(sa.Integer, primary_key=True)
            owner_id = sa.Column(sa.ForeignKey(Owner.id), nullable=False)
            kind = sa.Column(sa.String(20))
            owner = relationship(Owner, back_populates="pets")

        self.base, self.Owner, self.Pet = base, Owner, Pet
        self.engine = sa.create_engine(common.sqlalchemy_url(), future=True)
        base.metadata.create_all(self.engine)

    def tearDown(self):
        self.base.metadata.drop_all(self.engine)
        self.engine.dispose()

    def test_orm_crud(self):
        Owner, Pet = self.Owner, self.Pet
        with Session(self.engine) as session:
            session.add_all([Owner(name="o1", pets=[Pet(kind="cat"), Pet(kind="dog")]),
                             Owner(name="o2")])
            session.commit()
        with Session(self.engine) as session:
            owner = session.execute(sa.select(Owner).where(Owner.name == "o1")).scalar_one()
            self.assertEqual([p.kind for p in owner.pets], ["cat", "dog"])
            owner.name = "o1b"
            owner.pets[0].kind = "lion"
            session.commit()
        with Session(self.engine) as session:
            owner = session.execute(sa.select(Owner).where(Owner.name == "o1b")).scalar_one()
            self.assertEqual(owner.pets[0].kind, "lion")
            session.delete(owner)
            session.commit()
            self.assertEqual(session.query(Owner).count(), 1)
            self.assertEqual(session.query(Pet).count(), 0)
            self.assertIsNotNone(session.get(Owner, session.query(Owner.id).scalar()))

    def test_orm_rollback(self):
        with Session(self.engine) as session:
            session.add(self.Owner(name="temp"))
            session.flush()
            self.assertEqual(session.query(self.Owner).count(), 1)
            session.rollback()
            self.assertEqual(session.query(self.Owner).count(), 0)


class SqlAlchemyAsyncpgTest(unittest.IsolatedAsyncioTestCase):
    """The asyncio engine with the asyncpg dialect: DDL and DML go through asyncpg's named
    prepared statements (captured/sqlalchemy-asyncpg.sql)."""

    async def test_async_engine_crud_and_reflection(self):
        from sqlalchemy.ext.asyncio import create_async_engine
        md, parent, child = declare(common.suffix())
        engine = create_async_engine(common.sqlalchemy_url("asyncpg"))
        try:
            async with engine.begin() as conn:
                await conn.run_sync(md.create_all)
                await conn.execute(parent.insert(), [{"name": "a"}, {"name": "b"}])
                rows = await conn.execute(sa.select(parent.c.name).where(
                    parent.c.name != sa.bindparam("skip")).order_by(parent.c.name),
                    {"skip": "b"})
                self.assertEqual(rows.scalars().all(), ["a"])
                cols = await conn.run_sync(lambda c: sa.inspect(c).get_columns(child.name))
                self.assertEqual([c["name"] for c in cols],
                                 ["id", "parent_id", "score", "flag", "note", "payload"])
        finally:
            async with engine.begin() as conn:
                await conn.run_sync(md.drop_all)
            await engine.dispose()


class SqlAlchemyEnumTest(unittest.TestCase):
    """sa.Enum is a native enum type on PostgreSQL: create_all runs CREATE TYPE ... AS ENUM
    (after a pg_type probe), drop_all DROP TYPE; reflection reads the labels from pg_enum."""

    def test_enum_column_create_insert_select_reflect(self):
        sfx = common.suffix()
        md = sa.MetaData()
        mood = sa.Enum("sad", "ok", "happy", name=f"e2e_sa_mood_{sfx}")
        t = sa.Table(f"e2e_sa_enum_{sfx}", md,
                     sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("m", mood, nullable=False, server_default="ok"))
        engine = sa.create_engine(common.sqlalchemy_url(), future=True)
        try:
            md.create_all(engine)
            with engine.begin() as conn:
                conn.execute(t.insert(), [{"id": 1, "m": "happy"}, {"id": 2, "m": "sad"}])
                conn.execute(t.insert().values(id=3))  # the server default
                rows = conn.execute(sa.select(t.c.id, t.c.m).order_by(t.c.m, t.c.id)).all()
                self.assertEqual([tuple(r) for r in rows], [(2, "sad"), (3, "ok"), (1, "happy")])
                n = conn.execute(sa.select(sa.func.count()).select_from(t).where(
                    t.c.m > "sad")).scalar_one()
                self.assertEqual(n, 2)
                cols = {c["name"]: c for c in sa.inspect(conn).get_columns(t.name)}
                self.assertIsInstance(cols["m"]["type"], sa.Enum)
                self.assertEqual(list(cols["m"]["type"].enums), ["sad", "ok", "happy"])
                self.assertEqual(cols["m"]["type"].name, mood.name)
                self.assertFalse(cols["m"]["nullable"])
                enums = sa.inspect(conn).get_enums()
                self.assertIn(mood.name, [e["name"] for e in enums])
            with self.assertRaises(sa.exc.DataError):
                with engine.begin() as conn:
                    conn.execute(sa.text(f"INSERT INTO {t.name} VALUES (9, 'angry')"))
        finally:
            md.drop_all(engine)
            engine.dispose()
        with engine.connect() as conn:
            left = conn.execute(sa.text("SELECT count(*) FROM pg_type WHERE typname = :n"),
                                {"n": mood.name}).scalar_one()
            self.assertEqual(left, 0)


if __name__ == "__main__":
    common.main()
