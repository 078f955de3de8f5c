"""A small bookshop, the Django domain of the golden cases (run by tests/golden_django.py).

Its models are read by n1fix from source, like any project's; the test configures Django
with this app installed and creates its tables once per database (no migrations).
"""
