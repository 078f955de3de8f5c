import asyncio

from renderapp.async_dal import ProjectsDAL


async def name_suggestions(prefixes: list[str]) -> dict[str, list[str]]:
    suggestions: dict[str, list[str]] = {}
    semaphore = asyncio.Semaphore(5)  # at most 5 reads at once (SQLAlchemy's default pool_size)

    async def search_names_bounded(prefix):
        async with semaphore:
            return await ProjectsDAL.search_names(prefix)

    results = await asyncio.gather(
        *(search_names_bounded(prefix) for prefix in prefixes)
    )
    for prefix, names in zip(prefixes, results):
        suggestions[prefix] = names
    return suggestions
