from renderapp.async_dal import ProjectsDAL


async def first_prefix_with_names(prefixes: list[str]) -> tuple[str, list[str]] | None:
    found = None
    for prefix in prefixes:
        names = await ProjectsDAL.search_names(prefix)
        if names:
            found = (prefix, names)
            break
    return found
