def run(module, session):
    module.sync_plans(
        session,
        [
            {"id": 2, "name": "Pro", "monthly_credits": 600, "price_cents": 1900},
            {"id": 4, "name": "Team", "monthly_credits": 5000, "price_cents": 9900},
        ],
    )
