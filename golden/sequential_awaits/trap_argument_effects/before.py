from collections.abc import Iterator

from renderapp.async_dal import AuthDAL
from renderapp.models import User


async def next_two_reviewers(queue: Iterator[int]) -> list[User | None]:
    first = await AuthDAL.get_user_by_id(next(queue))
    second = await AuthDAL.get_user_by_id(next(queue))
    return [first, second]
