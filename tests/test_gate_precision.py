"""The per-file gates turn away what their checks can never report on.

Each gate must let through every file its rule may find something in (`test_gate.py`
compares runs with and without the gate); these tests hold the other side, on the
shapes a Django application is full of: code that mentions queries, saves and
relations, but not in a way the check reads. A file turned away is never parsed with
LibCST, the dearest step of a scan.
"""

from __future__ import annotations

import ast
import textwrap

from n1fix.cst.astwalk import any_in_loop
from n1fix.rules.filter_in_python.rule import FilterInPython
from n1fix.rules.lazy_load_in_loop.rule import LazyLoadInLoop
from n1fix.rules.query_in_loop.rule import QueryInLoop
from n1fix.rules.write_in_loop.rule import WriteInLoop


def _tree(source: str) -> tuple[ast.Module, str]:
    source = textwrap.dedent(source)
    return ast.parse(source), source


def _gate(rule, source: str) -> bool:
    return rule().gate(*_tree(source))


def _calls_in_loop(source: str) -> bool:
    tree, _ = _tree(source)
    return any_in_loop(tree, lambda node: isinstance(node, ast.Call))


# -- what runs per item (query-in-loop, raw-sql-in-loop) ----------------------------------


def test_a_loops_iterable_runs_once():
    assert not _calls_in_loop("for x in f():\n    pass\n")
    assert not _calls_in_loop("[x for x in f()]\n")
    assert not _calls_in_loop("for x in xs:\n    pass\nelse:\n    f()\n")
    assert _calls_in_loop("for x in xs:\n    f(x)\n")
    # every part of a comprehension but its first iterable runs per item
    assert _calls_in_loop("[f(x) for x in xs]\n")
    assert _calls_in_loop("[x for x in xs if f(x)]\n")
    assert _calls_in_loop("[y for x in xs for y in f(x)]\n")
    assert _calls_in_loop("{k: f(k) for k in ks}\n")
    # the iterable of a loop inside a loop runs per item of the outer one
    assert _calls_in_loop("for x in xs:\n    for y in f(x):\n        pass\n")
    assert _calls_in_loop("for x in xs:\n    ys = [y for y in f(x)]\n")


def test_query_in_loop_gate_skips_a_query_that_only_gives_the_rows():
    source = """
        for cs in Session.objects.filter(a=1).exclude(
            Exists(Cart.objects.filter(cart_id=OuterRef("cart_id")))
        ):
            cs.close()
    """
    assert not _gate(QueryInLoop, source)
    assert _gate(
        QueryInLoop, "for b in books:\n    Author.objects.get(pk=b.author_id)\n"
    )


# -- lazy-load-in-loop -------------------------------------------------------------------


def _read_names(source: str) -> list[str]:
    return LazyLoadInLoop().survey(*_tree(source))["reads"]


def _templates(source: str) -> list[str]:
    return LazyLoadInLoop().survey(*_tree(source))["templates"]


def test_lazy_load_survey_keeps_attributes_read_on_rows_of_a_query():
    assert "author" in _read_names(
        """
        def titles():
            return [book.author.name for book in Book.objects.filter(year=2000)]
        """
    )
    assert "author" in _read_names(
        """
        def titles(session):
            books = session.scalars(select(Book)).all()
            for i, book in enumerate(books):
                print(i, book.author)
        """
    )
    # rows from a helper of the module; a related row bound in the loop is reached
    # through `book.author`, the read that lets the file through
    names = _read_names(
        """
        class View:
            def rows(self):
                return Book.objects.filter(year=2000)

            def show(self):
                Shelf.objects.filter(full=True).count()
                for book in self.rows():
                    author = book.author
                    print(author.publisher)
        """
    )
    assert names == ["author"]


def test_lazy_load_survey_reads_every_loop_of_the_file_index():
    # A loop over rows inside another one, a loop in a function defined in a loop, a
    # loop in a lambda's comprehension, and a helper whose `return` is in a function
    # nested in it (the check reads every `return` of a helper's body).
    names = _read_names(
        """
        def helper():
            def inner():
                return Shelf.objects.all()
            return inner

        def show(session):
            for book in Book.objects.all():
                for copy in Copy.objects.filter(book=book):
                    print(copy.owner)
                def later():
                    for page in Page.objects.all():
                        print(page.chapter)
                key = lambda: [n.ledger for n in Note.objects.all()]
            for shelf in helper():
                print(shelf.room)
        """
    )
    assert {"owner", "chapter", "ledger", "room"} <= set(names)


def test_lazy_load_survey_skips_loops_over_rows_it_cannot_see():
    # Rows passed in, a dict's items, an attribute: the check finds no query for them,
    # whatever the loop reads, and `self.event` is no row's relation.
    assert (
        _read_names(
            """
            def total(self, positions, orders):
                Order.objects.filter(pk=1).first()
                for p in positions:
                    print(p.item, self.event)
                for key, value in self.cache.items():
                    print(value.event)
                return [o.customer for o in self.orders]
            """
        )
        == []
    )


def test_lazy_load_gate_wants_a_list_view_or_an_admin_changelist():
    assert not _gate(
        LazyLoadInLoop,
        """
        class Settings(APIView):
            serializer_class = SettingsSerializer

            def get(self, request):
                return Response(self.serializer_class(request.event).data)
        """,
    )
    assert _gate(
        LazyLoadInLoop,
        """
        class BookViewSet(viewsets.ModelViewSet):
            queryset = Book.objects.all()
            serializer_class = BookSerializer
        """,
    )
    assert _gate(
        LazyLoadInLoop,
        """
        @admin.register(Book)
        class BookAdmin(admin.ModelAdmin):
            list_display = ("title", "author")
        """,
    )
    assert not _gate(
        LazyLoadInLoop,
        'def columns(view):\n    return view.list_display + ("id",)\n',
    )
    # a list view whose rows or serializer are its own: `get_queryset` not narrowing
    # `super()`'s, `list` or `get_serializer` overridden, no serializer to name
    for own in (
        "def get_queryset(self):\n        return self.request.event.items.all()",
        "def list(self, request):\n        return Response([])",
        "def get_serializer(self, *args):\n        return S(*args)",
    ):
        assert not _gate(
            LazyLoadInLoop,
            "class Items(viewsets.ModelViewSet):\n"
            "    queryset = Item.objects.none()\n"
            "    serializer_class = ItemSerializer\n"
            f"    {own}\n",
        )
    assert not _gate(
        LazyLoadInLoop,
        """
        class Items(viewsets.ModelViewSet):
            queryset = Item.objects.all()
            serializer_class = serializers[0]
        """,
    )
    assert _gate(
        LazyLoadInLoop,
        """
        class Items(viewsets.ReadOnlyModelViewSet):
            queryset = Item.objects.all()

            def get_queryset(self):
                if self.request.user.is_staff:
                    return super().get_queryset()
                return super().get_queryset().filter(public=True)

            def get_serializer_class(self):
                return ItemSerializer
        """,
    )


# -- filter-in-python --------------------------------------------------------------------


def test_filter_in_python_gate_wants_a_sqlalchemy_querys_rows():
    assert _gate(
        FilterInPython,
        """
        def active(session):
            users = session.scalars(select(User)).all()
            return [u for u in users if u.active]
        """,
    )
    assert _gate(
        FilterInPython,
        "def active():\n    return [u for u in User.query.all() if u.active]\n",
    )
    # rows passed in, beside a query; a Django queryset (the check writes SQLAlchemy)
    assert not _gate(
        FilterInPython,
        """
        def active(session, users):
            session.scalars(select(User)).all()
            return [u for u in users if u.active]
        """,
    )
    assert not _gate(
        FilterInPython,
        "def active():\n    return [u for u in User.objects.all() if u.active]\n",
    )


# -- write-in-loop -----------------------------------------------------------------------


def test_write_in_loop_gate_reads_django_writes_as_the_check_does():
    assert _gate(
        WriteInLoop, "books = Book.objects.all()\nfor b in books:\n    b.save()\n"
    )
    assert _gate(WriteInLoop, "for n in names:\n    Tag.objects.create(name=n)\n")
    assert _gate(
        WriteInLoop, "for b in books:\n    Review.objects.filter(book=b).delete()\n"
    )
    assert _gate(
        WriteInLoop, "for b in books:\n    Book.objects.filter(pk=b.pk).update(n=1)\n"
    )
    # a form's save, a related manager's create, a dict's update, a related delete
    assert not _gate(WriteInLoop, "for f in fields:\n    form.save()\n")
    # rows whose model the check cannot find: a name bound to no query, a list
    assert not _gate(WriteInLoop, "for b in books:\n    b.save()\n")
    assert not _gate(WriteInLoop, "for b in [x, y]:\n    b.save()\n")
    assert not _gate(
        WriteInLoop, "for n in names:\n    instance.listeners.create(name=n)\n"
    )
    assert not _gate(WriteInLoop, "for k in keys:\n    data.update({k: 1})\n")
    assert not _gate(
        WriteInLoop,
        "for n in names:\n    instance.listeners.filter(name=n).delete()\n",
    )
    # an item saved per row of a query the check reads (a manager's chain, a session's
    # rows, awaited or bound to a name), not of a call it cannot type: a related
    # manager of an object whose model is unknown, a helper's list
    assert _gate(WriteInLoop, "for b in Book.objects.filter(a=1):\n    b.save()\n")
    assert _gate(
        WriteInLoop,
        "async def f():\n    for b in await session.scalars(q):\n"
        "        await b.adelete()\n",
    )
    assert _gate(
        WriteInLoop,
        "def f():\n    rows = session.query(Book).all()\n    for b in rows:\n"
        "        b.save()\n",
    )
    assert _gate(WriteInLoop, "for b in shelf.books:\n    b.save()\n")
    assert not _gate(
        WriteInLoop, "for item in instance.items.all():\n    item.save()\n"
    )
    assert not _gate(WriteInLoop, "for item in load_items():\n    item.save()\n")
    assert not _gate(
        WriteInLoop,
        "def f():\n    rows = self.get_items()\n    for b in rows:\n        b.delete()\n",
    )


def test_whole_rows_gate_wants_a_querys_rows():
    from n1fix.rules.whole_rows_for_one_column.rule import WholeRowsForOneColumn

    kept = [
        "ids = [b.id for b in Book.objects.filter(a=1)]\n",
        "ids = [b.id for b in session.query(Book).all()]\n",
        "ids = [b.id for b in session.scalars(select(Book))]\n",
        "async def f():\n    return [b.id for b in await db.scalars(select(B))]\n",
        "ids = [b.id for b in (await s.execute(select(B))).scalars().all()]\n",
    ]
    for source in kept:
        assert _gate(WholeRowsForOneColumn, source), source
    # a related manager, a form's fields, a helper: no query the check reads
    turned_away = [
        "ids = [i.id for i in instance.items.all()]\nBook.objects.get(pk=1)\n",
        "names = [f.label for f in form.fields.values()]\nquery = 1\n",
        "ids = [b.id for b in load_books()]\nquery = 1\n",
    ]
    for source in turned_away:
        assert not _gate(WholeRowsForOneColumn, source), source


# -- connection-leak ----------------------------------------------------------------------


def test_connection_leak_gate_wants_an_opener_the_imports_can_prove():
    from n1fix.rules.connection_leak.rule import ConnectionLeak

    # Django: a signal's connect(), a session store, request.session
    assert not _gate(
        ConnectionLeak,
        """
        from django.db.models.signals import post_save

        def ready():
            post_save.connect(handler, sender=Book)
            request.user.has_active_staff_session(request.session.session_key)
        """,
    )
    assert _gate(
        ConnectionLeak,
        """
        from sqlalchemy.orm import Session

        def f(engine):
            session = Session(engine)
        """,
    )
    assert _gate(
        ConnectionLeak,
        """
        import sqlite3

        def f():
            conn = sqlite3.connect("x.db")
        """,
    )
    # a sessionmaker imported from the project: looked up there by the check
    assert _gate(
        ConnectionLeak,
        """
        from app.db import SessionLocal

        def f():
            session = SessionLocal()
        """,
    )
    # inside SQLAlchemy's own package, a relative import may name its opener
    assert _gate(
        ConnectionLeak,
        """
        from .session import Session

        def f(engine):
            session = Session(engine)
        """,
    )


def test_connection_leak_gate_wants_an_opener_assigned_to_a_name():
    """The check looks for an opener in `name = opener(...)` only (`analysis._may_open`):
    one opened in `with`, passed on or returned is no leak it reports."""
    from n1fix.rules.connection_leak.rule import ConnectionLeak

    head = "from sqlalchemy.orm import Session\n\n"
    for body in (
        "with Session(engine) as session:\n        pass\n",
        "return Session(engine)\n",
        "run(Session(engine))\n",
        "self.session = Session(engine)\n",
        "a, b = Session(engine), 1\n",
    ):
        assert not _gate(ConnectionLeak, f"{head}def f(engine):\n    {body}")
    for body in (
        "session = Session(engine)\n",
        "session: Session = Session(engine)\n",
        "conn = engine.connect().execution_options(x=1)\n",
        "conn = await engine.connect()\n",
        "session = sessionmaker(engine)()\n",
    ):
        source = f"{head}async def f(engine):\n    {body}"
        assert _gate(ConnectionLeak, source), body
    # an engine built per call may be any call's: the gate then reads every call
    assert _gate(
        ConnectionLeak,
        "from sqlalchemy import create_engine\n\n"
        "def f(url):\n    return run(create_engine(url))\n",
    )


def test_connection_leak_gate_knows_every_package_the_openers_name():
    from n1fix.rules.connection_leak import engines, openers
    from n1fix.rules.connection_leak.gate import OPENER_MODULES, OPENER_NAME_PARTS

    names = {
        *openers._SESSION_CLASSES,
        *openers._ASYNC_SESSION_CLASSES,
        *openers._MAKERS,
        *openers._ANNOTATIONS,
        *openers.DBAPI_CONNECTS,
        "asyncpg.connect",
        *engines.ENGINE_MAKERS,
    }
    for name in names:
        assert name.split(".")[0] in OPENER_MODULES, name
        assert set(name.split(".")) <= OPENER_NAME_PARTS, name


def test_lazy_load_survey_keeps_the_templates_the_check_reads():
    # a template rendered with a computed name or context, a project's own base view,
    # a class view with a computed template name
    assert (
        _templates(
            """
            from django.shortcuts import render
            from django.views.generic import ListView, DetailView
            from app.mixins import EventMixin

            def page(request):
                return render(request, get_template_name(), make_context())

            def other(request):
                return render(request, "books/other.html", make_context())

            class Orders(EventMixin, ListView):
                model = Order

            class Order(DetailView):
                model = Order
                template_name = "orders/" + "detail.html" if x else "y.html"
            """
        )
        == []
    )
    assert _templates(
        """
        from django.shortcuts import render

        def page(request):
            return render(request, "books/list.html", {"books": Book.objects.all()})
        """
    ) == ["books/list.html"]
    # a class view with Django's default template name: `*` (the model's app decides)
    assert _templates(
        """
        from django.views import generic

        class Books(generic.ListView):
            model = Book

        class Book(generic.DetailView):
            model = Book
            template_name = "books/book.html"

        class Both(generic.DetailView):
            model = Book
            template_name = other_name = "books/both.html"
        """
    ) == ["*", "books/book.html"]
    # a context built elsewhere in the function, a `**` argument
    assert _templates(
        """
        from django.template.response import TemplateResponse

        def page(request, **kwargs):
            context = {"books": Book.objects.all()}
            return TemplateResponse(request, "books/list.html", context)

        def other(request, **kwargs):
            return TemplateResponse(request, "books/other.html", **kwargs)
        """
    ) == ["books/list.html", "books/other.html"]
    # a renderer in a method, in a function nested in one, under an alias; none at
    # module level (no view renders it)
    assert _templates(
        """
        from django.shortcuts import render as show

        page = show(None, "books/module.html", {})  # render(...)

        class Views:
            def page(self, request):
                def inner():
                    return show(request, "books/inner.html", {})
                return show(request, "books/method.html", context)
        """
    ) == ["books/inner.html", "books/method.html"]
    # without the word `django` or a renderer's name, no view is looked for
    assert _templates('def f():\n    return render(r, "a.html", {})\n') == []


def test_lazy_load_project_gate_wants_a_template_that_is_found(tmp_path):
    """The check reads a view only when its template is found where Django looks it
    up: the project gate asks the template places, and notes what it looked at."""
    from types import SimpleNamespace

    from n1fix.engine.reads import FileReads, observing

    (tmp_path / "app" / "templates" / "books").mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "templates" / "books" / "list.html").write_text("{{ x }}")
    project = SimpleNamespace(root=tmp_path, models=None)
    rule = LazyLoadInLoop()

    def through(*templates: str) -> bool:
        facts = {"reads": ["author"], "templates": list(templates)}
        return rule.project_gate(facts, project)

    assert through("books/list.html")
    assert not through("books/other.html") and not through()
    assert through("*", "books/other.html")
    reads = FileReads()
    with observing(reads):
        through("books/other.html")
    assert str(tmp_path / "app" / "templates" / "books" / "other.html") in reads.files
    assert [key for key in reads.facts if "template_places" in key]
    # settings whose template folders n1fix cannot compute: no template is known
    (tmp_path / "settings.py").write_text("TEMPLATES = [{'DIRS': [somewhere()]}]\n")
    from n1fix.orm.django_template_places import _walked_once

    _walked_once.cache_clear()
    assert not through("books/list.html") and not through("*")
    _walked_once.cache_clear()


def test_nodes_of_finds_what_ast_walk_finds():
    from n1fix.cst.astwalk import nodes_of

    tree, _ = _tree(
        """
        def f(xs):
            return [len(x.all()) for x in xs if g(x)[0]], {k: v for k, v in xs}
        """
    )
    for kind in (ast.Call, ast.ListComp, ast.DictComp, ast.Subscript, ast.Name):
        walked = [node for node in ast.walk(tree) if type(node) is kind]
        assert sorted(map(id, nodes_of(tree, kind))) == sorted(map(id, walked))
    other, _ = _tree("x = len(y)\n")
    assert len(nodes_of(other, ast.Call)) == 1  # a new tree, a new index


# -- sequential-awaits and awaits-in-loop -----------------------------------------------


def _function(qualname: str, **facts):
    """A session-use fact of a project function that runs a query (`facts` change it)."""
    from n1fix.orm.session_use import SessionUse

    fields = dict(
        qualname=qualname,
        name=qualname.rpartition(".")[2],
        owner=None,
        path="app/dal.py",
        line=1,
        params=(),
        opens_session=False,
        session_params=(),
        instance_session=None,
        global_sessions=(),
        queries=True,
        writes=False,
        delegates=(),
    )
    fields.update(facts)
    return SessionUse(**fields)


def _gates(
    rule,
    source: str,
    names: set[str],
    factories: frozenset[str] = frozenset(),
    functions=(),
) -> bool:
    """The per-file gate, else the project gate with `names` indexed as functions that
    run a query (as `runner`), `functions` (`_function`) too, and `factories` as its
    sessionmakers."""
    from types import SimpleNamespace

    from n1fix.orm.session_use import SessionUseIndex

    tree, text = _tree(source)
    checker = rule()
    if checker.gate(tree, text):
        return True
    index = SessionUseIndex(
        {
            **{f"app.dal.{name}": _function(f"app.dal.{name}") for name in names},
            **{f.qualname: f for f in functions},
        },
        frozenset(factories),
    )
    return checker.project_gate(
        checker.survey(tree, text), SimpleNamespace(session_use=index)
    )


def test_sequential_awaits_gate_wants_two_awaits_that_may_reach_the_database():
    from n1fix.rules.sequential_awaits.rule import SequentialAwaits

    plain = """
        async def f(flow_id):
            a = await client.read(flow_id)
            b = await render(flow_id)
    """
    assert not _gates(SequentialAwaits, plain, set())
    assert _gates(SequentialAwaits, plain, {"client.read", "render"})
    assert not _gates(SequentialAwaits, plain, {"client.read"})  # one is not two
    # a session passed, a session's own method
    assert _gates(
        SequentialAwaits,
        """
        async def f(session, db, flow_id):
            a = await read_flow(session, flow_id)
            b = await db.execute(q)
        """,
        set(),
    )
    # a string passed is a write statement or nothing (`describe`): no read
    assert not _gates(
        SequentialAwaits,
        """
        async def f(db: AsyncSession, flow_id):
            await run(db, "DELETE FROM flows")
            await run("UPDATE flows SET x = 1")
        """,
        set(),
    )
    # an imported name is looked up by the name it was imported as, too
    assert _gates(
        SequentialAwaits,
        """
        from app.dal import read_flow as rf, read_run as rr

        async def f(flow_id):
            a = await rf(flow_id)
            b = await rr(flow_id)
        """,
        {"read_flow", "read_run"},
    )


def test_sequential_awaits_gate_wants_two_that_may_go_in_one_group():
    """Neighbours that share a session, or where one reads what the other assigns,
    never go in one group (`gather_groups._conflict`)."""
    from n1fix.rules.sequential_awaits.rule import SequentialAwaits

    def gates(body: str, names=frozenset(), factories=frozenset()) -> bool:
        source = "async def f(session, flow_id):\n" + textwrap.indent(body, "    ")
        return _gates(SequentialAwaits, source, set(names), frozenset(factories))

    shared = (
        "a = await read_flow(session, flow_id)\nb = await read_run(session=session)\n"
    )
    assert not gates(shared)
    assert not gates(shared, {"read_flow", "read_run"})
    # a session's own method on it, or a write on it, cuts the run too
    assert not gates("await session.execute(q)\nawait session.refresh(a)\n")
    assert not gates("await session.flush()\nawait read(db)\n")
    # two sessions: they may go together
    assert gates("a = await read_flow(session, flow_id)\nb = await read_run(db)\n")
    # the second reads, or assigns again, what the first assigns
    assert not gates(
        "a = await read_flow(db)\nb = await read_run(a.id, other_session)\n"
    )
    assert not gates("a = await read_flow(db)\na = await read_run(other_session)\n")
    assert gates(
        "a = await read_flow(db)\nb = await read_run(flow_id, other_session)\n"
    )
    # each read may get a session of its own when a sessionmaker is in reach
    factory = "async_session = async_sessionmaker(engine)\n"
    assert _gates(
        SequentialAwaits,
        factory + "async def f(session):\n" + textwrap.indent(shared, "    "),
        set(),
    )
    imported = "from app.db import async_session\n"
    source = (
        imported + "async def f(session, flow_id):\n" + textwrap.indent(shared, "    ")
    )
    assert not _gates(SequentialAwaits, source, set())
    assert _gates(SequentialAwaits, source, set(), frozenset({"app.db.async_session"}))
    # a call on a name that is no import or parameter is known by its last two names
    assert not gates(
        "a = await client.read(1)\nb = await client.load(2)\n", {"read", "load"}
    )
    assert gates(
        "a = await client.read(1)\nb = await client.load(2)\n",
        {"x.client.read", "y.client.load"},
    )
    assert gates(
        "a = await client.read(1)\nb = await client.load(2)\n",
        {"client.read", "client.load"},
    )
    # (the first parameter of another function is no `self` of this one)
    other = "def g(client):\n    pass\n\n"
    for known, found in (({"app.read", "app.load"}, False), ({"read", "load"}, False)):
        source = other + "async def f():\n    a = await client.read(1)\n"
        source += "    b = await client.load(2)\n"
        assert _gates(SequentialAwaits, source, known) is found
    source = "async def f(client):\n    a = await client.read(1)\n"
    source += "    b = await client.load(2)\n"
    assert _gates(SequentialAwaits, source, {"app.read", "app.load"})


def test_awaits_in_loop_gate_wants_a_callee_the_project_knows_to_query():
    from n1fix.rules.awaits_in_loop.rule import AwaitsInLoop

    source = """
        async def f(ids):
            for i in ids:
                total += await fetch_one(i)
    """
    assert not _gates(AwaitsInLoop, source, set())
    assert not _gates(AwaitsInLoop, source, {"other"})
    assert _gates(AwaitsInLoop, source, {"fetch_one"})
    # what the check reads: `out.append(await f(x))`, `return await f(x)` in a loop
    appended = "async def f(ids):\n    for i in ids:\n        out.append(await g(i))\n"
    assert _gates(AwaitsInLoop, appended, {"g"})
    assert AwaitsInLoop().gate_alone(*_tree(appended))
    assert not AwaitsInLoop().gate_alone(*_tree("async def f():\n    await g()\n"))


def test_query_in_loop_project_gate_wants_the_callees_qualifier():
    from types import SimpleNamespace

    from n1fix.analysis.ast_loop_calls import loop_callees

    functions = SimpleNamespace(
        functions={"app.models.users.UsersTable.get": None, "app.dal.read_flow": None}
    )
    project = SimpleNamespace(functions=functions)

    def through(source: str) -> bool:
        tree, text = _tree(source)
        return QueryInLoop().project_gate(QueryInLoop().survey(tree, text), project)

    # `data.get(k)` cannot resolve to `UsersTable.get`: its qualified name ends `data.get`
    assert sorted(loop_callees(_tree("for k in ks:\n    data.get(k)\n")[0])) == [
        "data.get"
    ]
    assert not through("for k in ks:\n    data.get(k)\n")
    assert through(
        "from app.models.users import UsersTable\nfor k in ks:\n    UsersTable.get(k)\n"
    )
    # imported under another name, or the module in front
    assert through(
        "from app.models.users import UsersTable as U\nfor k in ks:\n    U.get(k)\n"
    )
    assert through(
        "from app.models import users\nfor k in ks:\n    users.UsersTable.get(k)\n"
    )
    # `self.get` resolves in the class around it: `UsersTable.get`, not `A.get`
    assert through(
        "class UsersTable:\n    def f(self, ks):\n        for k in ks:\n"
        "            self.get(k)\n"
    )
    assert not through(
        "class A:\n    def f(self, ks):\n        for k in ks:\n            self.get(k)\n"
    )
    assert through("for k in ks:\n    read_flow(k)\n")
    assert through("from app.dal import read_flow as rf\nfor k in ks:\n    rf(k)\n")


def _project_gate_through(source: str) -> bool:
    from types import SimpleNamespace

    functions = SimpleNamespace(
        functions={"app.models.users.UsersTable.get": None, "app.dal.read_flow": None}
    )
    tree, text = _tree(source)
    return QueryInLoop().project_gate(
        QueryInLoop().survey(tree, text), SimpleNamespace(functions=functions)
    )


def test_query_in_loop_project_gate_keeps_calls_keyed_per_item():
    """What `call_analysis.analyze_call` can report: an argument that reads a name the
    loop binds, the call in the loop's per-item part, its function a chain of names."""
    through = _project_gate_through
    # the loop's target, read through an attribute, a keyword, a subscript, a call
    assert through("for k in ks:\n    read_flow(session, k.id)\n")
    assert through("for k in ks:\n    read_flow(session, flow_id=k['id'])\n")
    assert through("for k in ks:\n    read_flow(session, str(k))\n")
    # a name the body binds: assignment, tuple target, with-as, except-as, walrus,
    # match capture, import, augmented assignment
    assert through("for r in rs:\n    key = r.k\n    read_flow(key)\n")
    assert through("for a, (b, c) in rs:\n    read_flow(c)\n")
    assert through("for r in rs:\n    with r.open() as h:\n        read_flow(h)\n")
    assert through(
        "for r in rs:\n    try:\n        pass\n    except E as e:\n        read_flow(e)\n"
    )
    assert through("for r in rs:\n    read_flow((k := r.id))\n")
    assert through(
        "for r in rs:\n    match r:\n        case {'id': k}:\n            read_flow(k)\n"
    )
    assert through("for r in rs:\n    import m as k\n    read_flow(k)\n")
    assert through("for r in rs:\n    n += r\n    read_flow(n)\n")
    # a lambda's parameter named like the item (LibCST reads it as a name)
    assert through("for k in ks:\n    read_flow(lambda k: 1)\n")
    # comprehensions: the element, a condition, a later iterable; nested loops
    assert through("[read_flow(k) for k in ks]\n")
    assert through("[k for k in ks if read_flow(k)]\n")
    assert through("[f for k in ks for f in read_flow(k)]\n")
    assert through("{k: read_flow(k) for k in ks}\n")
    assert through("for g in gs:\n    for k in g:\n        read_flow(g)\n")
    # async, decorated functions, a loop inside a function inside a loop
    assert through(
        "async def f(ks):\n    async for k in ks:\n        await read_flow(k)\n"
    )
    assert through("@cache\ndef f(ks):\n    for k in ks:\n        read_flow(k)\n")
    assert through(
        "for g in gs:\n    def f():\n        for k in g:\n            read_flow(k)\n"
    )
    # imports under other names, module aliases, star imports, re-exports
    assert through("from app.dal import read_flow as rf\nfor k in ks:\n    rf(k)\n")
    assert through("import app.dal as d\nfor k in ks:\n    d.read_flow(k)\n")
    assert through("from app.dal import *\nfor k in ks:\n    read_flow(k)\n")
    assert through("from app import dal\nfor k in ks:\n    dal.read_flow(k)\n")
    assert through(
        "from app.models import U as UsersTable\n[UsersTable.get(k) for k in ks]\n"
    )
    # `self`/`cls` in a method of the class, also from a nested function or lambda
    assert through(
        "class UsersTable:\n    @classmethod\n    def f(cls, ks):\n"
        "        return [cls.get(k) for k in ks]\n"
    )
    assert through(
        "class UsersTable:\n    def f(self, ks):\n        def g():\n"
        "            for k in ks:\n                self.get(k)\n"
    )


def test_query_in_loop_project_gate_turns_away_calls_never_reported():
    through = _project_gate_through
    # no argument, or `*args`/`**kwargs` (no argument is read for a key parameter)
    assert not through("for k in ks:\n    read_flow()\n")
    assert not through("for k in ks:\n    read_flow(*k)\n")
    assert not through("for k in ks:\n    read_flow(k, **options)\n")
    # no argument reads what the loop binds
    assert not through("for k in ks:\n    read_flow(session, flow_id)\n")
    assert not through("for k in ks:\n    read_flow(1, 'x')\n")
    # not per item: the iterable, the `else`, a function or class defined in the loop
    assert not through("for k in read_flow(k):\n    pass\n")
    assert not through("for k in ks:\n    pass\nelse:\n    read_flow(k)\n")
    assert not through("[x for x in read_flow(k)]\n")
    assert not through("for k in ks:\n    def f():\n        read_flow(k)\n")
    assert not through("for k in ks:\n    f = lambda: read_flow(k)\n")
    assert not through(
        "for k in ks:\n    @register(read_flow(k))\n    def f():\n        pass\n"
    )
    # a function that is no chain of names, or an attribute of `self`
    assert not through("for k in ks:\n    dal().read_flow(k)\n")
    assert not through(
        "class UsersTable:\n    def f(self, ks):\n        for k in ks:\n"
        "            self.users.get(k)\n"
    )
    # `self` outside a class resolves nowhere
    assert not through("def f(self, ks):\n    for k in ks:\n        self.get(k)\n")


# -- related-key-via-relationship ----------------------------------------------------------


def _key_reads(source: str) -> list[str]:
    from n1fix.rules.related_key_via_relationship.rule import RelatedKeyViaRelationship

    return RelatedKeyViaRelationship().survey(*_tree(source))


def test_related_key_survey_keeps_reads_on_names_the_check_can_type():
    source = """
        def loop(session):
            for order in session.scalars(q):
                print(order.event.pk)

        def comprehension(orders: list[Order]):
            return [o.item.pk for o in orders]

        def annotated(order: Order):
            return order.voucher.pk

        def fetched():
            order = Order.objects.get(pk=1)
            return order.seat.id

        async def awaited(session):
            order = await session.get(Order, 1)
            return order.fee.id

        def in_a_class_body_and_a_decorator(rows):
            for row in rows:
                class Local:
                    key = row.subevent.pk  # `row` unbound where the class starts

                @register(row.quota.pk)  # read in `hook`, where `row` is unbound
                def hook():
                    pass
    """
    assert _key_reads(source) == [
        "event.pk",
        "fee.id",
        "item.pk",
        "seat.id",
        "voucher.pk",
    ]


def test_related_key_survey_skips_names_with_no_model_to_find():
    # `request.event.pk` in a view: an unannotated parameter; `self.request.event.pk`
    # starts with an attribute; a module-level read; a call; an assignment; a name
    # bound otherwise (not a call's result)
    source = """
        def view(request, pk):
            if request.event.pk == pk:
                return self.request.event.pk

        current = order.event.pk

        def other(order, data):
            order.event.pk = 1
            o = data["order"]
            return order.event.pk(), o.event.pk
    """
    assert _key_reads(source) == []


def test_related_key_survey_names_the_class_of_self():
    source = """
        class OrderPosition(Model):
            def price(self):
                return self.item.pk

            @staticmethod
            def static(self):
                return self.tax.pk

            def nested(self):
                def inner():
                    return self.variation.pk
                return inner

        def build():
            class Local:
                x = self.seat.pk

                def method(self):
                    return self.voucher.pk
    """
    assert _key_reads(source) == [
        "Local:voucher.pk",
        "OrderPosition:item.pk",
        "OrderPosition:variation.pk",
    ]


def test_related_key_project_gate_matches_self_reads_to_that_models_relationships():
    from n1fix.rules.related_key_via_relationship.gate import KeyPairs

    pairs = KeyPairs(
        frozenset({"event.pk", "item.pk"}), {"Order": frozenset({"event.pk"})}
    )
    assert pairs.any_read(["item.pk"])
    assert pairs.any_read(["Order:event.pk"])
    assert not pairs.any_read(["Order:item.pk"])  # a relationship of another model
    assert not pairs.any_read(["EventForm:event.pk"])  # no model of that name
    assert not pairs.any_read(["user.pk"])


def test_sequential_awaits_gate_wants_two_awaits_that_may_be_reads():
    """The check reports a run only with two reads in it (`round_trip and not writes`):
    a session's write method (`_direct`) and a request that is not a GET, HEAD or
    OPTIONS (`_http_request`) are writes whatever the project holds, and count only
    when the project indexes a reading function of their name."""
    from n1fix.rules.sequential_awaits.rule import SequentialAwaits

    def gates(body: str, names=frozenset(), functions=(), head: str = "") -> bool:
        source = head + "async def f(flow_id):\n" + textwrap.indent(body, "    ")
        return _gates(SequentialAwaits, source, set(names), functions=functions)

    writes = "await repo.commit()\nawait store.add_all(rows)\n"
    assert not gates(writes)
    # a project method of that name that reads (known by its last two names)
    assert gates(writes, {"repo.commit", "store.add_all"})
    # a session's read methods, on any dotted receiver, under any name
    assert gates("a = await repo.execute(q)\nb = await self.store.scalars(q)\n")
    assert gates("a = await repo.get(User, 1)\nb = await other.query(User)\n")
    # requests, in a file that imports an HTTP client
    http = "import httpx\n\n"
    assert gates("a = await client.get(u)\nb = await api.head(v)\n", head=http)
    posts = "a = await client.post(u)\nb = await api.delete(v)\n"
    assert not gates(posts, head=http)
    assert gates(posts, {"client.post", "api.delete"}, head=http)
    # a local function (it may close over a session) still counts, nested or not
    local = "async def g():\n    pass\n\na = await g()\nb = await g()\n"
    assert gates(local)
    # a string passed never makes a read; the session passed with it does
    assert gates('a = await run(db, "select 1")\nb = await load(session_a)\n')
    assert not gates('a = await run("select 1")\nb = await load(session_a)\n')


def test_sequential_awaits_project_gate_wants_callees_that_may_read():
    """A callee the index knows is a read when it reaches the database (runs a query,
    opens a session, takes one, uses its object's or a module-level one) and writes
    nothing, itself or through what it awaits (`Effects.writes`)."""
    from n1fix.rules.sequential_awaits.rule import SequentialAwaits

    body = (
        "from app.dal import load_a as la\n\n"
        "async def f(flow_id):\n    a = await la(flow_id)\n"
        "    b = await svc.load_b(flow_id)\n"
    )

    def gates(**b_facts) -> bool:
        functions = [
            _function("app.dal.load_a"),
            _function("app.svc.load_b", **b_facts),
            _function("app.dal.save", writes=True),
        ]
        return _gates(SequentialAwaits, body, set(), functions=functions)

    assert gates()
    assert not gates(writes=True)
    assert not gates(delegates=("app.dal.save",))  # writes through what it awaits
    assert not gates(queries=False)  # waits on nothing n1fix knows of
    assert gates(queries=False, opens_session=True)
    assert gates(queries=False, session_params=("session",))
    assert gates(queries=False, instance_session="session")
    assert gates(queries=False, global_sessions=("app.db.session",))


def test_awaits_in_loop_project_gate_wants_a_callee_the_check_may_report():
    """`awaits_in_loops` passes over a call that writes or does something n1fix cannot
    see (`AwaitedCall.writes`, `.unknown`, from the callee's `Effects`)."""
    from n1fix.rules.awaits_in_loop.rule import AwaitsInLoop

    source = """
        from app.dal import fetch_one as fo

        async def f(ids):
            for i in ids:
                total += await fo(i)
    """

    def gates(**facts) -> bool:
        functions = [
            _function("app.dal.fetch_one", **facts),
            _function("app.dal.save", writes=True),
            _function("app.dal.plain"),
        ]
        return _gates(AwaitsInLoop, source, set(), functions=functions)

    assert gates()
    assert gates(delegates=("app.dal.plain",))
    assert not gates(queries=False)
    assert not gates(writes=True)
    assert not gates(delegates=("app.dal.save",))
    assert not gates(delegates=("?unknown_call",))
    assert not gates(delegates=("library.call",))  # not indexed: unknown


def test_connection_leak_project_gate_knows_every_opener_called_by_its_name():
    """`gate.OPENER_TARGETS` is what `openers.opener` proves from a called name's
    import alone: the gate keeps its own copy (it imports no LibCST)."""
    from n1fix.rules.connection_leak import openers
    from n1fix.rules.connection_leak.gate import OPENER_TARGETS

    assert OPENER_TARGETS == {
        *openers._SESSION_CLASSES,
        *openers._ASYNC_SESSION_CLASSES,
        *openers.DBAPI_CONNECTS,
        "asyncpg.connect",
    }
