from renderapp import async_dal


async def run(module, session):
    async_dal.async_session.configure(bind=session.bind)
    pages = []
    for user_id in (1, 3):  # Ana has credits; Chloé has none and is refused
        try:
            pages.append(await module.render_menu(session, user_id))
        except module.Forbidden:
            pages.append("forbidden")
    return pages
