from sqlalchemy.orm import sessionmaker


def run(module, session):
    factory = sessionmaker(bind=session.get_bind())
    return module.balances_for(factory, [1, 2, 3, 4])
