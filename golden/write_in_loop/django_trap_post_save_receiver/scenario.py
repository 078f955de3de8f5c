from datetime import UTC, datetime


def run(module):
    module.record_sales({1: 2, 6: 1}, datetime(2024, 3, 2, 12, 0, tzinfo=UTC))
