"""Stands in for an installed library: a shared data-access package of the render service
(what a company publishes to its own index, say `render-dal`, on top of the models).

It is not part of any golden tree: a tree case's rewrite builds a project of the tree and
the seed's models only, so to n1fix this package is third-party, as site-packages would be.
Calls into it must be left alone (n1fix cannot add a batch method to code it does not own).
"""
