"""The render service of shared/SCENARIOS.md in Django: the same tables and rows as
renderapp (its seed's renders and prompts), for the Django golden scenarios."""
