"""A catalogue mapped imperatively, as ckan maps its models: module-level `Table`s and
`registry.map_imperatively(Class, table, properties={...})` on plain classes."""
