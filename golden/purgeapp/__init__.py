"""Albums whose photos go with them, folders whose notes stay behind, boards with two
collections: the rows `session.delete()` loads before it deletes."""
