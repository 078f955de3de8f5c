from renderapp.models import RenderChain


def run(service, session):
    # Render 1 has no chain: the first lookup finds it and sets its chain to chain 1;
    # the second lookup of 1 autoflushes that assignment (chain_id = 1) and finds
    # nothing. A batch read before the loop finds render 1 for both.
    chain = session.get(RenderChain, 1)
    return service.attach(session, chain, [1, 1, 4])
