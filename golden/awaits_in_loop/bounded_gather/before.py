from renderapp.async_dal import ProjectsDAL


async def name_suggestions(prefixes: list[str]) -> dict[str, list[str]]:
    suggestions: dict[str, list[str]] = {}
    for prefix in prefixes:
        suggestions[prefix] = await ProjectsDAL.search_names(prefix)
    return suggestions
