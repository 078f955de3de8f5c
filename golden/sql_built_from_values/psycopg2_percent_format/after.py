import psycopg2


def s_projects(cur: "psycopg2.extensions.cursor", user_id: int) -> list[tuple]:
    cur.execute(
        "SELECT id, name FROM projects WHERE user_id = %s AND name LIKE 'S%%' ORDER BY id",
        (user_id,),
    )
    return cur.fetchall()


def projects_named(cur: "psycopg2.extensions.cursor", name: str, user_id: int) -> list[tuple]:
    cur.execute(
        "SELECT id FROM projects"
        " WHERE name = %s AND user_id = %s ORDER BY id",
        (name, user_id),
    )
    return cur.fetchall()
