from renderapp.async_dal import AuthDAL, RendersDAL


class ProfileUnavailable(Exception):
    pass


async def public_profile(user_id: int) -> dict:
    try:
        user = await AuthDAL.get_user_by_id(user_id)
        recent = await RendersDAL.recent_for_user(user_id, limit=3)
    except LookupError as error:
        raise ProfileUnavailable(str(error)) from error
    return {"name": user.display_name if user else None, "recent": [render.id for render in recent]}
